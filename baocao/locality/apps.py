from django.apps import AppConfig


class LocalityConfig(AppConfig):
    name = "baocao.locality"
    verbose_name = "Bộ cấu hình địa phương"
