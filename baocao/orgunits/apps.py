from django.apps import AppConfig


class OrgunitsConfig(AppConfig):
    name = "baocao.orgunits"
    verbose_name = "Đơn vị"
