"""The admin (``/quan-tri/``) asks the permissions module too: two bases for the other apps' admins.

- :class:`ManagedAdmin`: reference data and templates, seen and edited by staff who manage them
  (``Action.MANAGE``), not by whoever holds Django's model permissions.
- :class:`ThroughActionsAdmin`: rows that change only through their actions (report runs, PDF jobs,
  directives, tasks...): the admin shows them and never adds, changes or deletes one, so no change
  escapes the action's permission check, validation and audit trail.

Both take numbers the Vietnamese way ("7.800" is seven thousand eight hundred: core.admin_fields).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from baocao.accounts.models import RoleAssignment
from baocao.accounts.permissions import Action, is_superuser, units_for
from baocao.core.admin_fields import VietnameseNumbersAdminMixin

__all__ = [
    "ManagedAdmin",
    "ManagedStackedInline",
    "ManagedTabularInline",
    "ThroughActionsAdmin",
    "ThroughActionsInline",
]


def manages(request: HttpRequest) -> bool:
    """Staff who manage reference data and templates somewhere (``Action.MANAGE``)."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return is_superuser(user) or units_for(user, Action.MANAGE).exists()  # even before any unit exists


class _Managed:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return manages(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages(request)


class ManagedAdmin(VietnameseNumbersAdminMixin, _Managed, admin.ModelAdmin):
    pass


class ManagedTabularInline(VietnameseNumbersAdminMixin, _Managed, admin.TabularInline):
    pass


class ManagedStackedInline(VietnameseNumbersAdminMixin, _Managed, admin.StackedInline):
    pass


class _ShownOnly:
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ThroughActionsAdmin(VietnameseNumbersAdminMixin, _ShownOnly, admin.ModelAdmin):
    pass


class ThroughActionsInline(VietnameseNumbersAdminMixin, _ShownOnly, admin.TabularInline):
    extra = 0


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ManagedAdmin):  # users' roles: Action.MANAGE ("quản trị danh mục và mẫu")
    list_display = ["user", "role", "org_unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "org_unit__code",
        "org_unit__name",
    ]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["user", "org_unit"]
