"""The chain's verification page, for the office and the administrator."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from baocao.accounts.permissions import Action, is_superuser, units_for
from baocao.audit import chain
from baocao.audit.models import AuditCheckpoint, AuditHead


def _may_verify(user: object) -> bool:
    return is_superuser(user) or units_for(user, Action.COMPILE).exists()  # type: ignore[arg-type]


@login_required
def verification(request: HttpRequest) -> HttpResponse:
    if not _may_verify(request.user):
        raise Http404("Trang này dành cho văn phòng và quản trị hệ thống.")
    result = chain.verify()
    context = {
        "result": result,
        "first": result.first_break,
        "head": AuditHead.objects.filter(pk=chain.HEAD_ID).first(),
        "checkpoint": AuditCheckpoint.objects.order_by("-seq").first(),
    }
    return render(request, "audit/verification.html", context)
