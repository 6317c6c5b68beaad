"""YAML alias bombs and deep nesting (issue 12, item 3): a 1 KB bomb cost 47 s and 415 MB in
import_report_types; every YAML the project reads from users goes through core.safeyaml."""

import time

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from baocao.core import safeyaml
from baocao.quality.services import RuleProblems, import_rules
from baocao.reports.errors import TemplateProblems
from baocao.reports.template_files import import_report_types


def bomb(key: str = "report_types") -> str:
    """The classic billion laughs in YAML: nine levels of nine aliases, under 1 KB."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]")
    lines.append(f"{key}: [*a8]")
    return "\n".join(lines) + "\n"


def test_the_bomb_is_small():
    assert len(bomb()) < 1024


def test_safeyaml_refuses_an_alias_bomb_at_once():
    started = time.monotonic()
    with pytest.raises(safeyaml.YamlRejected, match="mở rộng các tham chiếu"):
        safeyaml.load(bomb())
    assert time.monotonic() - started < 1


def test_safeyaml_refuses_deep_nesting_without_recursion_error():
    with pytest.raises(safeyaml.YamlRejected, match="lồng nhau quá sâu"):
        safeyaml.load("[" * 10_000 + "]" * 10_000)


def test_safeyaml_reads_ordinary_anchors_and_dates():
    data = safeyaml.load("base: &b {x: 1}\nother: *b\nday: 2020-06-30\n")
    assert data["other"] == {"x": 1} and str(data["day"]) == "2020-06-30"


def test_import_report_types_refuses_the_bomb_quickly(db):
    started = time.monotonic()
    with pytest.raises(TemplateProblems) as caught:
        import_report_types(bomb().encode())
    assert time.monotonic() - started < 2
    (problem,) = caught.value.problems
    assert problem.startswith("Tệp mẫu bị từ chối: YAML quá lớn khi mở rộng các tham chiếu")


def test_import_rules_refuses_the_bomb_quickly(db):
    started = time.monotonic()
    with pytest.raises(RuleProblems, match="mở rộng các tham chiếu"):
        import_rules(bomb("rules"))
    assert time.monotonic() - started < 2


def test_the_templates_page_refuses_the_bomb(client, demo):
    client.force_login(User.objects.get(username="admin"))
    started = time.monotonic()
    upload = SimpleUploadedFile("mau.yaml", bomb().encode(), content_type="application/x-yaml")
    response = client.post("/bao-cao/mau/", {"file": upload})
    assert time.monotonic() - started < 5
    assert response.status_code == 200 and "Tệp mẫu bị từ chối: YAML quá lớn" in response.content.decode()


@pytest.mark.parametrize(
    ("text", "line"),
    [("report_types: []\nissued: 2020-13-45\n", 2), ("report_types: " + "9" * 100_000 + "\n", 1)],
    ids=["impossible date", "100.000-digit integer"],
)
def test_a_scalar_pyyaml_cannot_build_is_refused_with_its_line(client, demo, text, line):
    """A second probe: PyYAML's constructors raised ValueError (month 13, int conversion limit) — a 500
    on the templates page."""
    with pytest.raises(safeyaml.YamlRejected, match=f"dòng {line}"):
        safeyaml.load(text)
    client.force_login(User.objects.get(username="admin"))
    upload = SimpleUploadedFile("mau.yaml", text.encode(), content_type="application/x-yaml")
    response = client.post("/bao-cao/mau/", {"file": upload})
    assert response.status_code == 200
    assert "Giá trị YAML không đọc được" in response.content.decode()
