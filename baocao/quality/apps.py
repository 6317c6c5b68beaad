from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "baocao.quality"
    verbose_name = "Chất lượng số liệu"

    def ready(self) -> None:
        from baocao.collection.workflow import BEFORE_STEP
        from baocao.quality.services import approval_problems

        # High-importance violations block approval (the list is the refusal message). Submission is not
        # blocked: the unit sees every violation on the entry page (see services.entry_checks).
        if approval_problems not in BEFORE_STEP["approve"]:
            BEFORE_STEP["approve"].append(approval_problems)
