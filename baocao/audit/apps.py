from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AuditConfig(AppConfig):
    name = "baocao.audit"
    verbose_name = "Nhật ký kiểm toán"

    def ready(self) -> None:
        # Each app says in its own ``audit_chain`` module which of its changes are chained (the audit layer
        # sits below them and imports none of them); like the admin's autodiscovery, by name at start-up.
        autodiscover_modules("audit_chain")
