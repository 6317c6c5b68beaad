from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    # Two configs live in this module, so Django picks neither unless one is marked: without this the app
    # showed in the admin as "Accounts", the bare default config's English label.
    default = True
    name = "baocao.accounts"
    verbose_name = "Người dùng và vai trò"


class LoginThrottlingConfig(AxesConfig):
    """django-axes under a Vietnamese name in the admin (its labels: baocao/locale/vi)."""

    verbose_name = "Khóa đăng nhập"
