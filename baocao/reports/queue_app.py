"""procrastinate's Django app as installed on PostgreSQL (settings.INSTALLED_APPS;
docs/decisions/0030-job-queue.md): its tables, migrations and the ``app`` that baocao.reports.tasks and
``run_jobs`` use, without its English admin page of queue rows. The PdfJob rows ("Việc tạo PDF", in the
reports' admin) are what people read; an operator looks at the queue itself with
``manage.py procrastinate`` (list jobs, retry, cancel)."""

from procrastinate.contrib.django.apps import ProcrastinateConfig


class JobQueueConfig(ProcrastinateConfig):
    verbose_name = "Hàng đợi việc nền"

    def ready(self) -> None:
        super().ready()
        # Imported here, not at the top: this module is read while the app registry is being filled, and
        # the admin site and the queue's models may be imported only once it is (the admin, first in
        # INSTALLED_APPS, has registered procrastinate's page by now).
        from django.contrib import admin
        from procrastinate.contrib.django.models import ProcrastinateJob

        if admin.site.is_registered(ProcrastinateJob):
            admin.site.unregister(ProcrastinateJob)
