from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "baocao.core"
    verbose_name = "Lõi hệ thống"
