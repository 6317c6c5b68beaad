from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "baocao.quality"
    verbose_name = "Chất lượng số liệu"

    def ready(self) -> None:
        # Imported here, not at the top: Django imports apps.py before the models of the apps are loaded,
        # and these modules import models. The hook (BEFORE_STEP) keeps collection from importing quality.
        from baocao.collection.workflow import BEFORE_STEP
        from baocao.quality.services import approval_problems

        # High-importance violations block approval (the list is the refusal message). Submission is not
        # blocked: the unit sees every violation on the entry page (see services.entry_checks).
        if approval_problems not in BEFORE_STEP["approve"]:
            BEFORE_STEP["approve"].append(approval_problems)
