from django.apps import AppConfig

from baocao.core import lookups


class CoreConfig(AppConfig):
    name = "baocao.core"
    verbose_name = "Lõi hệ thống"

    def ready(self) -> None:
        lookups.register()  # ``in`` on integer columns bounded like Django's ``exact`` (no OverflowError)
