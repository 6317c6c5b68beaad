"""A unit's narrative under the workflow (issue 12, item 4): a unit writes only the sections assigned to
it, its narrative follows its data set's state like its values, the office may correct it, and every edit
is in an audit trail with a history page.

The finding reproduced: "a clerk can write into every section, including other sectors', and keep
editing after the unit's data set is locked; narrative edits have no history"."""

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from baocao.collection.models import Submission, SubmissionStatus
from baocao.collection.workflow import transition
from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit
from baocao.reports.contributions import import_contributions
from baocao.reports.errors import TemplateProblems
from baocao.reports.models import (
    Contribution,
    ContributionChange,
    ReportSection,
    ReportType,
    SectionAssignment,
)
from baocao.reports.narrative import NarrativeClosed, save_narrative
from baocao.reports.template_files import export_report_types, import_report_types
from baocao.testing.factories import logged_in

PAGE = ["TPLS_CA", "202006"]
JUNE = Period.parse("202006")


def login(client, name):
    return logged_in(client, name)


def user(name):
    return User.objects.get(username=name)


def field(key):
    return f"s{ReportSection.objects.get(key=key).pk}"


def web_changes():
    """Changes made on the pages (the demo's own load is on record as made by a command)."""
    return ContributionChange.objects.filter(source="web")


def police_text():
    return Contribution.objects.get(section_key="qp-an", org_unit__code="TPLS_CA", period="202006").text


def test_the_police_clerk_sees_and_writes_only_the_police_sections(client, police):
    url = reverse("collection:contributions", args=PAGE)
    page = login(client, "ca.canbo").get(url).content.decode()
    assert f'name="{field("qp-an")}"' in page
    for other in ("kinh-te", "quan-ly-do-thi", "tnmt", "vhxh", "nv-kinh-te"):
        assert f'name="{field(other)}"' not in page

    assert "Mục chưa viết" not in page
    client.post(url, {field("qp-an"): ""})  # emptied: the page lists it before the head submits
    page = client.get(url).content.decode()
    assert "Mục chưa viết (1): “Quốc phòng - an ninh - Đối ngoại”" in page

    page = client.post(url, {field("kinh-te"): "Kinh tế tăng trưởng tốt."}, follow=True).content.decode()
    assert "Mục “Kinh tế” không giao cho Công an thành phố viết" in page
    assert not Contribution.objects.filter(section_key="kinh-te", org_unit__code="TPLS_CA").exists()
    assert web_changes().count() == 1  # the emptied section only


def test_the_service_refuses_a_section_not_assigned_to_the_unit(police):
    economy = ReportSection.objects.get(key="kinh-te")
    with pytest.raises(NarrativeClosed, match="Mục “Kinh tế” không giao cho Công an thành phố viết"):
        save_narrative(police.org_unit, JUNE, {economy: "Kinh tế tăng trưởng tốt."}, user("ca.canbo"))


@pytest.mark.parametrize("state", ["submitted", "accepted", "approved", "locked"])
def test_no_narrative_edits_by_the_unit_once_its_data_set_is_sent(client, police, state):
    steps = {
        "submitted": [("submit", "ca.truong")],
        "accepted": [("submit", "ca.truong"), ("accept", "vanphong")],
        "approved": [("submit", "ca.truong"), ("accept", "vanphong"), ("approve", "lanhdao")],
        "locked": [
            ("submit", "ca.truong"),
            ("accept", "vanphong"),
            ("approve", "lanhdao"),
            ("lock", "lanhdao"),
        ],
    }[state]
    for step, name in steps:
        police = transition(police, step, user(name))
    assert police.status == state
    before = police_text()
    url = reverse("collection:contributions", args=PAGE)
    page = login(client, "ca.canbo").post(url, {field("qp-an"): "Sửa sau khi đã gửi."}, follow=True)
    text = page.content.decode()
    assert "không sửa được" in text and police.get_status_display().lower() in text
    assert police_text() == before
    assert "Lưu nội dung" not in text  # the form is shown read-only
    assert not web_changes().exists()


def test_returned_narrative_is_editable_again(client, police):
    police = transition(police, "submit", user("ca.truong"))
    transition(police, "return", user("vanphong"), reason="Bổ sung nội dung an ninh")
    url = reverse("collection:contributions", args=PAGE)
    login(client, "ca.canbo").post(url, {field("qp-an"): "Nội dung đã bổ sung."})
    assert police_text() == "Nội dung đã bổ sung."


def test_the_office_corrects_a_units_narrative_until_it_is_approved(client, police):
    police = transition(police, "submit", user("ca.truong"))
    url = reverse("collection:contributions", args=PAGE)
    login(client, "vanphong").post(url, {field("qp-an"): "Văn phòng sửa nội dung."})
    assert police_text() == "Văn phòng sửa nội dung."
    police = transition(police, "accept", user("vanphong"))
    police = transition(police, "approve", user("lanhdao"))
    page = client.post(url, {field("qp-an"): "Sửa sau phê duyệt."}, follow=True).content.decode()
    assert "cần lãnh đạo mở lại số liệu trước" in page
    assert police_text() == "Văn phòng sửa nội dung."


def test_a_clerk_cannot_write_another_units_narrative(client, police):
    economy = OrgUnit.objects.get(code="TPLS_PKT")
    response = login(client, "ca.canbo").post(
        reverse("collection:contributions", args=["TPLS_PKT", "202006"]), {field("kinh-te"): "Ghi đè."}
    )
    assert response.status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        save_narrative(economy, JUNE, {ReportSection.objects.get(key="kinh-te"): "Ghi đè."}, user("ca.canbo"))
    assert "Ghi đè." not in Contribution.objects.filter(section_key="kinh-te").values_list("text", flat=True)


def test_every_narrative_edit_is_in_the_history(client, police):
    url = reverse("collection:contributions", args=PAGE)
    old = police_text()
    page = login(client, "ca.canbo").get(url).content.decode()
    history = reverse("collection:contribution_history", args=PAGE)
    assert history in page
    # what the page's editor posts: the data field as a chip
    chip = '<span class="bc-figure" data-src="{{ f.HS_VU.value|dem }}">07</span>'
    edited = f"<p>Phạm pháp hình sự xảy ra {chip} vụ.</p>"
    client.post(url, {field("qp-an"): edited})
    client.post(url, {field("qp-an"): edited})  # no change
    login(client, "vanphong").post(url, {field("qp-an"): "Văn phòng sửa."})
    changes = list(web_changes().order_by("pk"))
    assert [(c.changed_by.username, c.source) for c in changes] == [("ca.canbo", "web"), ("vanphong", "web")]
    assert changes[0].old_text == old
    assert changes[1].old_text == "Phạm pháp hình sự xảy ra {{ f.HS_VU.value|dem }} vụ."
    assert changes[1].new_text == "Văn phòng sửa."
    page = login(client, "ca.canbo").get(history).content.decode()
    assert "Lịch sử nội dung báo cáo" in page and "Quốc phòng - an ninh - Đối ngoại" in page
    assert "Văn phòng sửa." in page and "Trang web" in page
    assert (
        client.get(reverse("collection:contribution_history", args=["TPLS_PKT", "202006"])).status_code == 404
    )


def test_report_types_yaml_carries_the_section_assignments(demo):
    report_type = ReportType.objects.get(code="KTXH_THANG")
    exported = yaml.safe_load(export_report_types([report_type]))
    sections = {
        s["key"]: s for top in exported["report_types"][0]["sections"] for s in top.get("sections", [])
    }
    assert sections["qp-an"]["units"] == ["TPLS_CA"]
    assert sections["vhxh"]["units"] == ["TPLS_PGDDT", "TPLS_PVHTT", "TPLS_PLDTBXH", "TPLS_PYT"]

    sections["qp-an"]["units"] = ["TPLS_BCHQS", "TPLS_CA"]
    import_report_types(yaml.dump(exported, allow_unicode=True))
    assert list(
        SectionAssignment.objects.filter(section_key="qp-an").values_list("org_unit__code", flat=True)
    ) == ["TPLS_BCHQS", "TPLS_CA"]

    sections["qp-an"]["units"] = ["KHONG_CO"]
    exported["report_types"][0]["sections"][0]["units"] = ["TPLS_CA"]  # a section without narrative
    with pytest.raises(TemplateProblems) as info:
        import_report_types(yaml.dump(exported, allow_unicode=True))
    text = " ".join(info.value.problems)
    assert "không có đơn vị mã “KHONG_CO”" in text
    assert "không có khối nội dung các đơn vị" in text


def test_importing_contributions_checks_assignments_and_records_changes(demo):
    report_type = ReportType.objects.get(code="KTXH_THANG")
    with pytest.raises(
        TemplateProblems, match="Mục “kinh-te”, nội dung 1: mục này không giao cho Công an thành phố"
    ):
        import_contributions(report_type, "202006", "kinh-te:\n- unit: TPLS_CA\n  text: Kinh tế.\n")
    import_contributions(report_type, "202006", "qp-an:\n- unit: TPLS_CA\n  text: An ninh ổn định.\n")
    change = ContributionChange.objects.filter(section_key="qp-an", org_unit__code="TPLS_CA").latest("pk")
    assert change.new_text == "An ninh ổn định." and change.source == "command"
    removed = ContributionChange.objects.filter(new_text="").values_list("section_key", flat=True)
    assert "kinh-te" in removed  # the import replaced the period: the others' texts went away, on record


def test_demo_sections_are_assigned_to_the_units_that_wrote_them(demo):
    for contribution in Contribution.objects.all():
        assert SectionAssignment.objects.filter(
            report_type=contribution.report_type,
            section_key=contribution.section_key,
            org_unit=contribution.org_unit,
        ).exists(), contribution
    assert Submission.objects.filter(status=SubmissionStatus.LOCKED).count() == 0
