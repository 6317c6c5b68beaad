from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "baocao.indicators"
    verbose_name = "Chỉ tiêu"
