"""Shared model pieces: Vietnamese text normalised to NFC at the boundary, a search key."""

from django.db import models

from baocao.core.text import clean, nfc, search_key


class NormalizedTextMixin(models.Model):
    """Normalises the listed text fields to NFC on save (single-line ones also collapse whitespace) and
    keeps an accent-free search key."""

    normalized_fields: tuple[str, ...] = ("name",)
    multiline_fields: tuple[str, ...] = ()  # NFC, line breaks kept, each line stripped
    search_source_fields: tuple[str, ...] = ("code", "name")

    search_key = models.CharField("khóa tìm kiếm", max_length=500, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalize_text()
        super().save(*args, **kwargs)

    def normalize_text(self) -> None:
        for field in self.normalized_fields:
            value = getattr(self, field)
            if isinstance(value, str):
                setattr(self, field, clean(value))
        for field in self.multiline_fields:
            value = getattr(self, field)
            if isinstance(value, str):
                setattr(self, field, "\n".join(line.strip() for line in nfc(value).strip().splitlines()))
        self.search_key = search_key(" ".join(str(getattr(self, f) or "") for f in self.search_source_fields))
