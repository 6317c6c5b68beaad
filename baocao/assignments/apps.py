from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "baocao.assignments"
    verbose_name = "Theo dõi nhiệm vụ"

    def ready(self) -> None:
        from baocao.assignments.review import report_provider
        from baocao.reports.providers import register

        register("ra_soat", report_provider)
