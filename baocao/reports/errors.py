"""The errors of the report modules, shared by pages, the API and commands (Vietnamese messages)."""

from __future__ import annotations

__all__ = ["ReportError", "TemplateProblems"]


class ReportError(ValueError):
    """A report cannot be built or a run cannot change state; the message is Vietnamese."""


class TemplateProblems(ValueError):
    """A report template (file or block) has problems; ``problems`` lists them, each naming its place."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
