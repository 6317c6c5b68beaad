from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "baocao.accounts"
    verbose_name = "Người dùng và vai trò"


class LoginThrottlingConfig(AxesConfig):
    """django-axes under a Vietnamese name in the admin (its labels: baocao/locale/vi)."""

    verbose_name = "Khóa đăng nhập"
