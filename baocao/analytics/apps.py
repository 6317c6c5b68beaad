from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "baocao.analytics"
    verbose_name = "Số liệu tổng hợp"
