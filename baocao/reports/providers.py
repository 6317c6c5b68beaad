"""Extra names other apps give to report templates (task review, for example).

An app registers a provider in its AppConfig.ready() (reports never imports the apps that provide):
``register("ra_soat", task_review_for_report)``.

A provider is called as ``provider(org_unit, period)`` and returns a value templates can read (plain
data: strings, numbers, lists, dicts or small read-only objects — never model instances). When a
template is checked before saving, ``org_unit`` is None: the provider returns a sample of the same shape
so the trial render exercises the template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit

__all__ = ["Provider", "provided_context", "register"]

Provider = Callable[[OrgUnit | None, Period], Any]
_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    if name in _PROVIDERS and _PROVIDERS[name] is not provider:
        raise ValueError(f"Tên “{name}” đã được dùng cho dữ liệu báo cáo khác.")
    _PROVIDERS[name] = provider


def provided_context(org_unit: OrgUnit | None, period: Period) -> dict[str, Any]:
    return {name: provider(org_unit, period) for name, provider in sorted(_PROVIDERS.items())}
