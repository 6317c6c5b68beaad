"""Vietnamese text helpers: Unicode normalisation and accent-insensitive search keys.

Vietnamese text reaches the system in both precomposed (NFC) and decomposed (NFD) form, e.g. text pasted
from macOS or from some PDF extractors is NFD. Everything stored or compared should go through :func:`nfc`
(or :func:`clean` for user-entered single-line values) first.
"""

import unicodedata

__all__ = ["clean", "nfc", "search_key"]


def nfc(s: str) -> str:
    """Return ``s`` in Unicode NFC form. Whitespace is left untouched."""
    return unicodedata.normalize("NFC", s)


def clean(s: str) -> str:
    """NFC-normalise, strip, and collapse every internal run of whitespace (incl. NBSP) to one space."""
    return " ".join(nfc(s).split())


def search_key(s: str) -> str:
    """Accent- and case-insensitive key for searching and matching names.

    NFC → casefold → NFD → drop combining marks (category ``Mn``) → "đ" → "d" → collapse whitespace.

    >>> search_key("Đắk Lắk")
    'dak lak'
    """
    folded = unicodedata.normalize("NFD", nfc(s).casefold())
    stripped = "".join(ch for ch in folded if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.replace("đ", "d").split())
