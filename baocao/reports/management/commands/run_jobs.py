"""The job worker (docs/decisions/0030-job-queue.md): PDF conversions and the periodic jobs (reminders).

PostgreSQL (``BAOCAO_JOB_QUEUE=procrastinate``): a procrastinate worker — run as many as wanted, on this
machine or others, all pointed at the same DATABASE_URL. Each sends a heartbeat every
``BAOCAO_JOB_HEARTBEAT_SECONDS``; every ``BAOCAO_JOB_STALLED_CHECK_SECONDS`` each looks for jobs whose worker
has been silent for ``BAOCAO_JOB_STALLED_SECONDS`` (it died: killed, out of memory, machine lost) and puts
them back in the queue, where the next free worker takes them up (procrastinate's "retry stalled jobs").

SQLite (thread queue): the claim loop over queued PdfJob rows plus the periodic jobs every
``BAOCAO_PERIODIC_INTERVAL`` seconds; at start, the jobs a dead process left "Đang tạo" are put back.

Either way LibreOffice is kept warm for the worker's lifetime (:func:`baocao.reports.pdf.warm_office`, when
the installed pdf module has it) unless ``--cold``.
"""

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand
from procrastinate import App
from procrastinate.contrib.django import app as queue_app
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.exceptions import ConnectorException
from procrastinate.worker import Worker

from baocao.reports import pdf
from baocao.reports.jobs import recover_abandoned_jobs, run_pending_jobs, run_periodic_jobs

log = logging.getLogger(__name__)

# The database went away (PostgreSQL restarted, fail-over, network): the worker waits and starts again
# instead of ending, as the web processes reconnect (CONN_HEALTH_CHECKS). Anything else still ends it.
LOST_DATABASE = (psycopg.OperationalError, ConnectorException)
RECONNECT_PAUSE_SECONDS = 2.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _office(cold: bool) -> Iterator[None]:
    warm = None if cold else getattr(pdf, "warm_office", None)
    if warm is None:
        yield
        return
    with warm():
        yield


async def _retry_stalled_jobs(app: App, every: float, silent_for: float) -> None:
    """Put back the jobs of workers silent for ``silent_for`` seconds, every ``every`` seconds (several
    workers may race for one job: the loser's retry is refused by the database and ignored)."""
    while True:
        try:
            for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=silent_for):
                try:
                    await app.job_manager.retry_job(job)
                except Exception:  # another worker put it back first
                    log.debug("Stalled job %s already taken care of", job.id, exc_info=True)
                else:
                    log.warning("Job %s (%s) of a dead worker is back in the queue", job.id, job.task_name)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database restarting must not end the worker
            log.exception("Could not look for stalled jobs")
        await asyncio.sleep(every)


async def _procrastinate_worker(app: App, *, concurrency: int, once: bool, name: str) -> bool:
    """Run one procrastinate worker until it stops. True when it was asked to (SIGINT/SIGTERM, or ``once``
    and the queue is empty); False when it stopped by itself — procrastinate stops a worker whose listener
    or heartbeat lost the database, and the caller starts a new one."""
    stop_requested = once
    async with app.open_async():
        app.perform_import_paths()
        worker = Worker(
            app=app,
            concurrency=concurrency,
            name=name,
            wait=not once,
            update_heartbeat_interval=settings.BAOCAO_JOB_HEARTBEAT_SECONDS,
            stalled_worker_timeout=settings.BAOCAO_JOB_STALLED_SECONDS,
            delete_jobs="successful",  # the PdfJob row is the record; the queue keeps failures only
            install_signal_handlers=False,  # ours below: a stop asked for is told from a lost database
        )

        def request_stop() -> None:
            nonlocal stop_requested
            stop_requested = True
            worker.stop()

        loop = asyncio.get_running_loop()
        signals = threading.current_thread() is threading.main_thread()  # only the main thread gets them
        for signum in STOP_SIGNALS if signals else ():
            loop.add_signal_handler(signum, request_stop)
        stalled = asyncio.create_task(
            _retry_stalled_jobs(
                app, settings.BAOCAO_JOB_STALLED_CHECK_SECONDS, settings.BAOCAO_JOB_STALLED_SECONDS
            )
        )
        try:
            await worker.run()
        finally:
            for signum in STOP_SIGNALS if signals else ():
                loop.remove_signal_handler(signum)
            stalled.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stalled
    return stop_requested


def _run_async(make: Callable[[], Coroutine[Any, Any, bool]]) -> bool:
    """asyncio.run, or, when the caller's thread already runs an event loop (the command called from code
    that embeds one, e.g. a test process driving a browser), asyncio.run in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


class Command(BaseCommand):
    help = (
        "Chạy việc nền: tạo PDF và các việc định kỳ (nhắc hạn). Trên PostgreSQL là một tiến trình xử lý "
        "của hàng đợi procrastinate (chạy bao nhiêu tiến trình, trên máy nào cũng được); trên SQLite là "
        "vòng lặp lấy việc đang chờ (dùng khi BAOCAO_PDF_IN_THREAD=False)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Chạy hết việc đang chờ rồi dừng.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="SQLite: số giây nghỉ giữa hai lần kiểm tra."
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=settings.BAOCAO_JOB_CONCURRENCY,
            help="PostgreSQL: số việc chạy cùng lúc trong tiến trình này (mặc định BAOCAO_JOB_CONCURRENCY).",
        )
        parser.add_argument("--name", default=None, help="PostgreSQL: tên của tiến trình (trong nhật ký).")
        parser.add_argument(
            "--cold", action="store_true", help="Không giữ LibreOffice chạy sẵn (mỗi PDF một tiến trình)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with _office(options["cold"]):
            if settings.BAOCAO_JOB_QUEUE == "procrastinate":
                self._procrastinate(options)
            else:
                self._thread_queue(options)

    def _procrastinate(self, options: dict[str, Any]) -> None:
        # Procrastinate's Django connector serves deferring from requests; a worker needs its own
        # connections (LISTEN/NOTIFY, heartbeats): the same database through psycopg's async connector.
        connector = queue_app.connector
        assert isinstance(connector, DjangoConnector)  # what procrastinate.contrib.django configures
        with queue_app.replace_connector(connector.get_worker_connector()) as app:
            concurrency = max(1, options["concurrency"])
            name = options["name"] or f"baocao-{socket.gethostname()}-{os.getpid()}"
            while True:
                try:
                    if _run_async(
                        lambda: _procrastinate_worker(
                            app, concurrency=concurrency, once=options["once"], name=name
                        )
                    ):
                        return
                except LOST_DATABASE:
                    if options["once"]:
                        raise
                    log.warning("Lost the database", exc_info=True)
                log.warning(
                    "Tiến trình xử lý việc nền dừng vì mất kết nối cơ sở dữ liệu; chạy lại sau %s giây",
                    RECONNECT_PAUSE_SECONDS,
                )
                time.sleep(RECONNECT_PAUSE_SECONDS)

    def _thread_queue(self, options: dict[str, Any]) -> None:
        if recover_abandoned_jobs():
            self.stdout.write("Đã đưa lại vào hàng đợi các việc tạo PDF bị bỏ dở khi tiến trình trước dừng.")
        last_periodic = float("-inf")
        while True:
            count = run_pending_jobs()
            if count:
                self.stdout.write(f"Đã chạy {count} việc tạo PDF.")
            if time.monotonic() - last_periodic >= settings.BAOCAO_PERIODIC_INTERVAL:
                run_periodic_jobs()  # the scheduled reminders (settings.BAOCAO_PERIODIC_JOBS)
                last_periodic = time.monotonic()
            if options["once"]:
                return
            time.sleep(options["interval"])
