from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "baocao.notifications"
    verbose_name = "Thông báo"
