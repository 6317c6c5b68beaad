from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "baocao.reports"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        # Imported here, not at the top: Django imports apps.py before the models are loaded, and these
        # modules import models. ``tong_hop``: the province roll-up and ranking (analytics.ranking).
        from baocao.analytics.ranking import report_provider
        from baocao.reports.providers import register

        register("tong_hop", report_provider)
