"""Vietnamese collation (ICU, vi_VN): the order people expect in lists of names.

Python's ``sorted`` on str compares code points: "Đ" (U+0110) lands after "Z", "Ă"/"Â" after every
other letter and tones in Unicode order. ICU's Vietnamese collation puts "Đ" right after "D", "ă" and
"â" after "a", "ê" after "e", "ô"/"ơ" after "o", "ư" after "u", and the tones in the traditional order
(ngang, huyền, hỏi, ngã, sắc, nặng: a, à, ả, ã, á, ạ). Case is secondary to letters ("an" and "An"
together). Use :func:`sort_key` wherever a list is ordered by name in Python, and :func:`sort_key_hex`
for the browser (table-tools.js compares ``data-sort-key`` as a plain string: the hex of the ICU key
keeps its byte order).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

from baocao.core.text import nfc

__all__ = ["sort_key", "sort_key_hex", "sorted_vi"]

T = TypeVar("T")


_local = threading.local()


def _collator() -> icu.Collator:
    # One collator per thread (the web server's threads, the PDF worker): creating one costs a few
    # hundred microseconds, and a thread of its own never shares ICU's state with another.
    collator = getattr(_local, "collator", None)
    if collator is None:
        collator = _local.collator = icu.Collator.createInstance(icu.Locale("vi_VN"))
    return collator


def sort_key(text: str | None) -> bytes:
    """The vi_VN collation key of ``text`` (None and "" sort first)."""
    return bytes(_collator().getSortKey(nfc(text or "")))


def sort_key_hex(text: str | None) -> str:
    """:func:`sort_key` as hex text, for HTML ``data-sort-key`` attributes (same order as the bytes)."""
    return sort_key(text).hex()


def sorted_vi(items: Iterable[T], key: Callable[[T], str | None] = str) -> list[T]:
    """``items`` sorted by ``key(item)`` in Vietnamese order (stable)."""
    return sorted(items, key=lambda item: sort_key(key(item)))
