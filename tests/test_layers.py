"""No import statement inside a function body in baocao/ unless a comment right above it says why.

An import inside a function hides a dependency from the layer contracts' reader and usually dodges an
import cycle (docs/decisions/0007-layers.md). Allowed: Django's AppConfig.ready() hooks, with the reason
written in a comment. Tests follow the rule too; migrations (generated) are skipped."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "baocao"


def function_imports(path: Path) -> list[tuple[int, str]]:
    """(line, statement) of every import inside a function body of the file without a comment above it."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import | ast.ImportFrom):
                above = lines[: inner.lineno - 1]
                # The comment block right above the import (or above the imports grouped with it).
                while above and above[-1].strip().startswith(("from ", "import ")):
                    above.pop()
                if not (above and above[-1].strip().startswith("#")):
                    found.append((inner.lineno, lines[inner.lineno - 1].strip()))
    return found


def application_modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]


def test_no_import_inside_a_function_without_a_reason():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {statement}"
        for path in application_modules()
        for line, statement in function_imports(path)
    ]
    assert not offenders, "Import trong thân hàm không có chú thích lý do:\n" + "\n".join(offenders)


def test_the_check_finds_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from os import path\n    return path\n\n"
        "def g():\n    # Imported here: Django app loading.\n    import os\n    return os\n",
        encoding="utf-8",
    )
    assert function_imports(module) == [(2, "from os import path")]
