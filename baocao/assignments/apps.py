from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "baocao.assignments"
    verbose_name = "Theo dõi nhiệm vụ"

    def ready(self) -> None:
        # Imported here, not at the top: Django imports apps.py before the models of the apps are loaded,
        # and these modules import models. The registry (reports.providers) keeps reports from importing us.
        from baocao.assignments import explanations
        from baocao.assignments.review import report_provider
        from baocao.reports.providers import register

        register("ra_soat", report_provider)
        register("giai_trinh", explanations.report_provider)
