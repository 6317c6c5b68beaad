"""What the menu shows: only the pages the signed-in user can use."""

from typing import Any

from django.http import HttpRequest

from baocao.accounts.permissions import Action, is_superuser, units_for


def menu(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    allowed = {
        action: units_for(user, action).exists()
        for action in (Action.VIEW, Action.ENTER, Action.RETURN, Action.APPROVE, Action.ASSIGN, Action.MANAGE)
    }
    return {
        "menu": {
            "figures": allowed[Action.VIEW],
            "entry": allowed[Action.ENTER],
            "review": allowed[Action.RETURN] or allowed[Action.APPROVE],
            "reports": allowed[Action.VIEW],
            "tasks": allowed[Action.VIEW],
            "task_summary": allowed[Action.ASSIGN],
            "briefing": allowed[Action.ASSIGN],  # the leader's monthly briefing (/tom-tat/): leader, office
            # The audit chain's page (/kiem-toan/) is the office's (COMPILE) and the administrator's; among
            # the roles only the office and the administrator may RETURN, so no extra query per page.
            "audit": allowed[Action.RETURN] or is_superuser(user),
            "quality": allowed[Action.VIEW],
            "manage": allowed[Action.MANAGE],
            "locality": allowed[Action.MANAGE] or is_superuser(user),  # the bundle page (/dia-phuong/)
        }
    }
