"""The recogniser's corpus: texts with their expected bindings, and its precision and recall on them.

Two forms of corpus file (``corpus/*.yaml``):

* the seed (``seed-2020-06.yaml``): the seed report's own text, parts I and III, and per part the list
  of expected bindings, each located by the words right before its number (searched in order), so that
  no figure is written in the corpus;
* written sentences (``written-*.yaml``, ``held-back-*.yaml``) in the style of district, ward and
  province monthly reports: each figure-bearing number is marked ``{07|HS_VU}`` in the text.

An expected binding is ``CODE[@kind][:field]`` ("A|B": either code). Every other number of the text is
not a figure. Scores (:class:`Score`):

* **recall**: expected numbers placed on the right indicator (and kind and field, where given);
* **wrong**: numbers placed (bound, or mismatched for the written corpora whose values are not stored)
  on a wrong indicator, or placed though they are not figures, as a share of all numbers placed.

The seed is scored with :func:`recognise` against the demo's June 2020 figures (bound only); written
sentences carry their own numbers, which the demo does not store, so they score placement: a mismatch on
the right indicator counts as placed. Both also score :func:`propose_values` (the archive import, by unit
and name only) on the value entries. The ``held-back`` files were written before the rules were tuned
and are never used to tune them; they are reported separately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from baocao.core import safeyaml
from baocao.reports.recognizer.matching import Recognised, propose_values, recognise
from baocao.reports.recognizer.parsing import mask_markup

__all__ = ["CORPUS_DIR", "Expected", "Score", "corpus_files", "evaluate", "load_texts"]

CORPUS_DIR = Path(__file__).parent / "corpus"
_MARK = re.compile(r"\{([^{}|]+)\|([^{}]+)\}")
_NUMBER_START = re.compile(r"\d")


@dataclass(frozen=True)
class Expected:
    codes: tuple[str, ...]
    kind: str | None
    field: str | None

    @classmethod
    def parse(cls, spec: str) -> Expected:
        head, _, field_ = spec.strip().partition(":")
        codes, _, kind = head.partition("@")
        return cls(tuple(codes.split("|")), kind or None, field_ or None)

    def accepts(self, code: str, kind: str, field_: str) -> bool:
        if code not in self.codes:
            return False
        if self.kind and kind != self.kind:
            return False
        return (self.field or "value") == field_

    @property
    def is_value(self) -> bool:
        return self.field is None


@dataclass
class Score:
    name: str
    expected: int = 0
    right: int = 0
    placed: int = 0
    wrong: int = 0
    misses: list[str] = field(default_factory=list)
    wrongs: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.placed if self.placed else 0.0

    @property
    def precision(self) -> float:
        return 1.0 - self.wrong_rate

    def line(self) -> str:
        return (
            f"{self.name}: {self.right}/{self.expected} đúng (recall {self.recall:.1%}), "
            f"{self.wrong}/{self.placed} sai (tỷ lệ sai {self.wrong_rate:.1%})"
        )


@dataclass
class _Text:
    text: str
    expected: dict[int, Expected]  # number start → expected binding
    plans_ahead: bool | None = None  # None: the recogniser reads it from the headings


def corpus_files(prefix: str) -> list[Path]:
    return sorted(CORPUS_DIR.glob(f"{prefix}*.yaml"))


def _anchored(text: str, entries: list[Any], where: str) -> dict[int, Expected]:
    """The positions of the anchored numbers (see the module docstring)."""
    masked = mask_markup(text)
    expected: dict[int, Expected] = {}
    position = 0
    for entry in entries:
        if isinstance(entry, dict):  # "trong tháng: => X" reads as a mapping in YAML
            key, value = next(iter(entry.items()))
            entry = f"{key}: {value}"
        anchor, _, spec = entry.partition("=>")
        pattern = r"\s+".join(re.escape(word) for word in anchor.split())
        match = re.compile(pattern).search(masked, position)
        if match is None:
            raise ValueError(f"{where}: không tìm thấy “{anchor.strip()}” sau vị trí {position}.")
        number = _NUMBER_START.search(masked, match.end())
        if number is None or number.start() - match.end() > 12:
            raise ValueError(f"{where}: không có số ngay sau “{anchor.strip()}”.")
        expected[number.start()] = Expected.parse(spec)
        position = number.start() + 1
    return expected


def _marked(text: str) -> tuple[str, dict[int, Expected]]:
    out, expected, last = [], {}, 0
    length = 0
    for match in _MARK.finditer(text):
        out.append(text[last : match.start()])
        length += match.start() - last
        expected[length] = Expected.parse(match.group(2))
        out.append(match.group(1))
        length += len(match.group(1))
        last = match.end()
    out.append(text[last:])
    return "".join(out), expected


def load_texts(path: Path) -> tuple[dict[str, Any], list[_Text]]:
    data = safeyaml.load(path.read_text(encoding="utf-8"))
    texts: list[_Text] = []
    if "parts" in data:
        source = (Path(settings.BASE_DIR) / data["source"]).read_text(encoding="utf-8")
        for part in data["parts"]:
            start = source.index(part["from"])
            end = source.index(part["to"], start)
            text = source[start:end]
            texts.append(
                _Text(
                    text,
                    _anchored(text, part["expect"], f"{path.name} phần {part['part']}"),
                    part.get("plans_ahead"),
                )
            )
    else:
        for item in data["texts"]:
            text, expected = _marked(item["text"] if isinstance(item, dict) else item)
            ahead = item.get("plans_ahead") if isinstance(item, dict) else None
            texts.append(_Text(text, expected, ahead))
    return data, texts


def _placed(result: Recognised, placement: bool) -> bool:
    return result.binding is not None and (result.status == "bound" or placement)


def evaluate(path: Path, *, placement: bool | None = None) -> tuple[Score, Score]:
    """(recognise score, propose_values score) of one corpus file. ``placement``: count mismatches on
    the right indicator as placed (default: for the written corpora, not for the seed)."""
    data, texts = load_texts(path)
    name = path.stem
    placement = ("parts" not in data) if placement is None else placement
    recognised = Score(f"{name} (nhận dạng)")
    proposed = Score(f"{name} (nhập báo cáo cũ)")
    for item in texts:
        results = recognise(
            item.text, org_unit=data["org_unit"], period=str(data["period"]), plans_ahead=item.plans_ahead
        )
        by_start = {r.mention.start: r for r in results}
        for start, expected in item.expected.items():
            recognised.expected += 1
            result = by_start.get(start)
            if result is not None and _placed(result, placement):
                assert result.binding is not None
                b = result.binding
                if expected.accepts(b.code, b.kind, b.field):
                    recognised.right += 1
                    continue
            got = (
                f"{result.status} {result.binding.code}:{result.binding.field}"
                if result and result.binding
                else (result.status if result else "không thấy số")
            )
            recognised.misses.append(f"{_excerpt(item.text, start)} → cần {expected.codes}, được {got}")
        for result in results:
            if not _placed(result, placement):
                continue
            assert result.binding is not None
            recognised.placed += 1
            expected_here = item.expected.get(result.mention.start)
            b = result.binding
            if expected_here is None or not expected_here.accepts(b.code, b.kind, b.field):
                recognised.wrong += 1
                recognised.wrongs.append(f"{_excerpt(item.text, result.mention.start)} → {b.code}:{b.field}")
        proposals = propose_values(item.text, org_unit=data["org_unit"], period=str(data["period"]))
        by_start_p = {p.mention.start: p for p in proposals}
        for start, expected in item.expected.items():
            if not expected.is_value:
                continue
            proposed.expected += 1
            proposal = by_start_p.get(start)
            if proposal is not None and expected.accepts(proposal.code, proposal.kind, "value"):
                proposed.right += 1
            else:
                got = f"{proposal.code}@{proposal.kind}" if proposal else "không đề xuất"
                proposed.misses.append(f"{_excerpt(item.text, start)} → cần {expected.codes}, được {got}")
        for proposal in proposals:
            proposed.placed += 1
            expected_here = item.expected.get(proposal.mention.start)
            if expected_here is None or not expected_here.accepts(proposal.code, proposal.kind, "value"):
                proposed.wrong += 1
                proposed.wrongs.append(
                    f"{_excerpt(item.text, proposal.mention.start)} → {proposal.code}@{proposal.kind}"
                )
    return recognised, proposed


def _excerpt(text: str, start: int) -> str:
    return " ".join(mask_markup(text[max(0, start - 50) : start + 25]).split())
