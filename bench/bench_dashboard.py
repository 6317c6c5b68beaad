"""Benchmark: server time of the leaders' dashboard per page (median, p95), for the demo and a province.

Each page is requested through Django's full stack in-process (test client: middleware, session, the
view, the template) as a signed-in leader, after one warm-up request; the time is the server's, without a
network. Measured: the dashboard page itself (cards, submissions, overdue tasks), the trend charts' JSON it
fetches (24 months of series for each card with a chart), the early-warning panel's HTML fragment it fetches
(issue 19; ``--chart-runs`` runs), and a card's drill-down table.

- ``--scale demo``: the June 2020 demo in a throw-away SQLite database (or DATABASE_URL), the leader
  ``lanhdao``, unit TPLS. Target: page < 150 ms.
- ``--scale province``: the bench generator's province (bench/bench_scale.py: 95 units, 300 indicators,
  10 years of monthly values, yearly plans) on PostgreSQL, plus a card set of 10 indicators, one monthly
  form for every unit with its submissions, and overdue tasks; the leader of the whole province. Target:
  page < 400 ms. Run through bench/with_postgres.sh (``make bench`` does).

Run: ``.venv/bin/python bench/bench_dashboard.py --scale demo`` /
``bench/with_postgres.sh .venv/bin/python bench/bench_dashboard.py --scale province``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
TARGETS_MS = {"demo": 150, "province": 400}


def measure(request: Callable[[], int], runs: int) -> tuple[float, float]:
    """(median, p95) in milliseconds of ``runs`` requests after one warm-up; every answer must be a 200."""
    assert request() == 200
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        status = request()
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def setup_demo() -> tuple[str, dict[str, str]]:
    from django.core.management import call_command

    from baocao.demo.loader import load_demo

    call_command("migrate", verbosity=0)
    load_demo()
    return "lanhdao", {"unit": "TPLS", "period": "202006"}


def setup_province() -> tuple[str, dict[str, str]]:
    """The bench generator's province plus what the dashboard shows besides figures: cards, a monthly form
    with submissions, tasks."""
    from bench_scale import FIRST_YEAR, SCALES, generate
    from django.contrib.auth.models import User
    from django.utils import timezone

    from baocao.accounts.models import Role, RoleAssignment
    from baocao.analytics.cards import load_cards, load_directions
    from baocao.assignments.models import Directive, Task
    from baocao.collection.models import Submission, SubmissionStatus
    from baocao.core.periods import Period
    from baocao.indicators.models import DataSet
    from baocao.orgunits.models import OrgUnit

    scale = SCALES["province"]
    made = generate(scale)
    print(f"Sinh dữ liệu: {made['values']:,} số liệu, {made['units']} đơn vị trong {made['seconds']:.0f} s")
    codes: list[str] = made["indicators"][:10]  # type: ignore[index]
    load_directions([{"code": c, "direction": "up" if n % 3 else "down"} for n, c in enumerate(codes)])
    load_cards(
        [
            {"org_unit": "ROOT", "indicator": code, "show_trend": n < 6, "target_types": ["KH_NAM"]}
            for n, code in enumerate(codes)
        ]
    )
    last_year = FIRST_YEAR + scale.years - 1
    period = Period.month(last_year, 12)
    leaves = list(OrgUnit.objects.exclude(code="ROOT"))
    form = DataSet.objects.create(code="BM_THANG", name="Biểu số liệu tháng", period_type="month")
    form.org_units.set(leaves)
    deadline = form.deadline(period)
    on_time = timezone.make_aware(datetime.datetime.combine(deadline, datetime.time(9)))
    late = on_time + datetime.timedelta(days=3)
    Submission.objects.bulk_create(
        Submission(
            data_set=form,
            org_unit=unit,
            period=period.id,
            status=SubmissionStatus.SUBMITTED,
            submitted_at=on_time if n % 4 else late,
            last_submitted_at=on_time if n % 4 else late,
        )
        for n, unit in enumerate(leaves[: len(leaves) * 4 // 5])
    )
    directive = Directive.objects.create(
        number="1/KH-UBND", issued_on=datetime.date(last_year, 1, 5), issuer="UBND tỉnh", summary="Kế hoạch"
    )
    Task.objects.bulk_create(
        Task(
            directive=directive,
            content=f"Nhiệm vụ {n}",
            lead_unit=leaves[n % len(leaves)],
            assigned_on=datetime.date(last_year, 1, 10),
            deadline_kind="once",
            deadline=datetime.date(last_year, 1 + n % 11, 20),
        )
        for n in range(200)
    )
    leader = User.objects.create_user("lanhdao_tinh")
    root = OrgUnit.objects.get(code="ROOT")
    RoleAssignment.objects.create(user=leader, role=Role.LEADER, org_unit=root)
    return leader.username, {"unit": "ROOT", "period": period.id}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(TARGETS_MS), default="demo")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--chart-runs", type=int, default=10, help="runs of the charts' JSON and the warnings panel"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="province: the data of an earlier run (DATABASE_URL)"
    )
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    if args.scale == "demo":
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
    elif not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Cần PostgreSQL: chạy qua bench/with_postgres.sh hoặc đặt DATABASE_URL=postgres://...")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
    # Measured as served: DEBUG off (no query log), with a throw-away key for this run.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from baocao.analytics.cards import cards_for
    from baocao.orgunits.models import OrgUnit

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(f"Máy: {platform.platform()}, {os.cpu_count()} lõi, Python {platform.python_version()}")
    if args.scale == "demo":
        username, params = setup_demo()
    elif args.reuse:
        from bench_scale import FIRST_YEAR, SCALES

        username = "lanhdao_tinh"
        params = {"unit": "ROOT", "period": f"{FIRST_YEAR + SCALES['province'].years - 1}12"}
    else:
        username, params = setup_province()
    client = Client()
    client.force_login(User.objects.get(username=username))
    unit = OrgUnit.objects.get(code=params["unit"])
    card = cards_for(unit)[0]
    drill = {**params, "indicator": card.indicator.code, "kind": card.kind}
    pages = [
        ("trang tổng quan", reverse("home"), params, TARGETS_MS[args.scale]),
        ("trang tổng quan, không tham số (kỳ, đơn vị mặc định)", reverse("home"), {}, TARGETS_MS[args.scale]),
        ("biểu đồ (JSON, 24 tháng)", reverse("analytics:dashboard_charts"), params, None),  # runs: chart_runs
        ("bảng theo đơn vị", reverse("analytics:dashboard_indicator"), drill, None),
        # The early-warning panel, fetched by the page after it loads (runs: chart_runs).
        ("bảng cảnh báo sớm (HTML, tải sau trang)", reverse("analytics:warnings_panel"), params, None),
    ]
    slow = {reverse("analytics:dashboard_charts"), reverse("analytics:warnings_panel")}
    print(
        f"{connection.vendor}, quy mô {args.scale}, {args.runs} lần mỗi trang, {args.chart_runs} lần biểu đồ "
        "(sau một lần khởi động):"
    )
    for label, url, query, target in pages:
        queries: list[str] = []

        def count(execute, sql, *rest, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            assert client.get(url, query).status_code == 200, url
        runs = args.chart_runs if url in slow else args.runs
        median, p95 = measure(lambda url=url, query=query: client.get(url, query).status_code, runs)
        goal = ""
        if target is not None:
            goal = f" (mục tiêu < {target} ms: {'đạt' if median < target and p95 < target else 'CHƯA ĐẠT'})"
        print(f"- {label}: trung vị {median:.0f} ms, p95 {p95:.0f} ms, {len(queries)} truy vấn{goal}")


if __name__ == "__main__":
    main()
