"""The bundle page's upload form: a .zip of the bundle's folder or its .xlsx workbook, size-checked
before a byte is read (docs/locality-bundle.md; the contents are checked by ``read_bundle``)."""

from __future__ import annotations

from django import forms

__all__ = ["MAX_UPLOAD_BYTES", "BundleUploadForm"]

#: The uploaded file as sent (the ZIP's content is bounded again when unpacked: 50 MB, 100 entries).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"  # a ZIP, and so an .xlsx


class BundleUploadForm(forms.Form):
    file = forms.FileField(
        label="Tệp bộ cấu hình (.zip của thư mục hoặc sổ Excel .xlsx, tối đa 20 MB)",
        error_messages={
            "required": "Hãy chọn tệp bộ cấu hình (.zip hoặc .xlsx).",
            "empty": "Tệp tải lên rỗng.",
            "invalid": "Không đọc được tệp tải lên.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,.xlsx,application/zip"}),
    )

    def clean_file(self) -> bytes:
        """The file's bytes (the form's cleaned value), once it is known to be a ZIP or a workbook of
        acceptable size."""
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"Tệp “{upload.name}” quá lớn: tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
            )
        data: bytes = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"Tệp “{upload.name}” quá lớn: tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
            )
        if not data.startswith(_ZIP_MAGIC):
            raise forms.ValidationError(
                f"Tệp “{upload.name}” không phải tệp ZIP hay sổ Excel (.xlsx): hãy nén thư mục bộ cấu hình "
                "thành .zip hoặc tải lên sổ Excel của bộ cấu hình."
            )
        return data
