"""The verification page (Kiểm tra chữ ký số): any signed-in user uploads a PDF and reads, in Vietnamese,
whether its digital signature is valid, who signed, when, and whether it was changed after signing
(:mod:`baocao.reports.verification`). The upload is bounded in size and read defensively: a file that is
not a PDF, damaged or hostile gets a Vietnamese answer, never a 500. Nothing is stored."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from baocao.reports.verification import MAX_UPLOAD_BYTES, check_pdf, findings


@login_required
def verify_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = "Chưa chọn tệp PDF cần kiểm tra."
            status = 400
        elif (upload.size or 0) > MAX_UPLOAD_BYTES:
            context["error"] = f"Tệp “{upload.name}” quá lớn để kiểm tra (tối đa {context['max_mb']} MB)."
            status = 400
        else:
            result = check_pdf(upload.read(MAX_UPLOAD_BYTES + 1))
            context.update(result=result, findings=findings(result), file_name=upload.name)
    return render(request, "reports/verify.html", context, status=status)
