from django.apps import AppConfig
from django.core.signals import request_started
from django.db.models.signals import post_delete, post_save

from baocao.core import lookups


class CoreConfig(AppConfig):
    name = "baocao.core"
    verbose_name = "Lõi hệ thống"

    def ready(self) -> None:
        lookups.register()  # ``in`` on integer columns bounded like Django's ``exact`` (no OverflowError)
        # The working-day rule caches the administrator's yearly adjustments: dropped when one changes
        # and at each request, so every process sees a change from its next request (decision 0020).
        from baocao.core import dates  # reads models: only once the registry is ready
        from baocao.core.models import DayAdjustment  # same: models load after the apps

        post_save.connect(dates.clear_working_day_cache, sender=DayAdjustment, dispatch_uid="workdays-save")
        post_delete.connect(dates.clear_working_day_cache, sender=DayAdjustment, dispatch_uid="workdays-del")
        request_started.connect(dates.clear_working_day_cache, dispatch_uid="workdays-request")
