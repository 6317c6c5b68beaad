from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "baocao.api"
    verbose_name = "API"
