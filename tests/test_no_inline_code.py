"""No template may carry inline code the Content-Security-Policy forbids (script-src/style-src 'self', no
'unsafe-inline'): an inline <script> (one without src), a <style> element, a style="..." attribute or an
on...= event handler. The browser test (tests/e2e/test_csp_e2e.py) loads the main pages; this one reads every
template, so a page the browser test does not open cannot bring inline code back either. Put CSS and
JavaScript in baocao/static/baocao/ and link them (base.html has a ``head`` block)."""

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "baocao"
TEMPLATES = sorted(p for p in ROOT.rglob("*.html") if "templates" in p.parts)
# HTML built in Python (format_html in template tags, admin columns) is held to the same rule.
MODULES = sorted(p for p in ROOT.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts)
FORBIDDEN = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    'style="..." attribute': re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL),
    "on...= handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_inline_code(template):
    found = problems(template.read_text(encoding="utf-8"))
    assert found == [], f"{template.relative_to(ROOT)}: {found}"


def problems(text: str) -> list[str]:
    found = []
    for what, pattern in FORBIDDEN.items():
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"dòng {line}: {what}")
    return found


def string_literals(source: str) -> str:
    # Python 3.12 splits f-strings into FSTRING_* tokens; their text parts count too.
    kinds = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return "\n".join(token.string for token in tokens if token.type in kinds)


def test_html_written_in_python_has_no_inline_code():
    found = {
        str(module.relative_to(ROOT)): problems(string_literals(module.read_text(encoding="utf-8")))
        for module in MODULES
    }
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_check_catches_each_kind():
    samples = [
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        '<p class="x" style="color:red">',
        '<button onclick="go()">',
        '<a href="javascript:void(0)">',
    ]
    for sample in samples:
        assert any(p.search(sample) for p in FORBIDDEN.values()), sample
    assert not any(p.search('<script src="/static/baocao/entry.js"></script>') for p in FORBIDDEN.values())
