"""The static files' storage when DEBUG is off: WhiteNoise's compressed, content-hashed copies.

Django's manifest storage also rewrites the ``sourceMappingURL`` comment of every JavaScript and CSS file to
the hashed name of the source map, and stops collectstatic when the map is missing: the vendored Quill
names ``quill.js.map`` and ``quill.snow.css.map``, which are not copied (a source map serves only the
browser's developer tools). Those rules are left out: the comments stay as written. The other rules
(``url()`` and ``@import`` in stylesheets) are kept, so a stylesheet's images and fonts get hashed names too.

A file missing from the manifest (collectstatic not run with these settings, or run before a new file was
added) is served under its plain name instead of raising: otherwise every page, the 500 page included,
would fail on its first ``{% static %}``.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage

__all__ = ["StaticFilesStorage"]


def _rule_text(rule: str | tuple[str, str]) -> str:
    return rule if isinstance(rule, str) else rule[0]


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
    patterns = tuple(
        (glob, tuple(rule for rule in rules if "sourceMappingURL" not in _rule_text(rule)))
        for glob, rules in CompressedManifestStaticFilesStorage.patterns
    )
