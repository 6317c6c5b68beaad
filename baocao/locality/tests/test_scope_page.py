"""Scoping, end to end (issue 13 item 2, "Done when"): a unit administrator's bundle that touches another
subtree is refused whole — through the bundle page and through the command — naming the first object
outside the subtree; nothing of it is written, not even its objects inside the subtree. Inside their
subtree the same administrator imports."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from baocao.indicators.models import Target
from baocao.locality.api import apply_import, read_bundle
from baocao.locality.models import LocalityImport
from baocao.locality.tests.page_helpers import FILES, upload, zipped
from baocao.orgunits.models import OrgUnit
from baocao.testing.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/dia-phuong/"


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    """Uploads kept between the dry run and "Áp dụng" go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "locality-uploads"


# Phường An Bình's administrator sends: a new residential group under the ward (inside), then a new name
# for Xã Bình Minh (outside: the first object outside), then a target of Xã Bình Minh (outside too).
TOUCHING_ANOTHER_SUBTREE = {
    "org-units.csv": (
        "code,name,type,parent,valid_from\n"
        "PHUONG_A_TDP1,Tổ dân phố 1,office,PHUONG_A,2025-07-01\n"
        "XA_B,Xã Bình Minh (đổi tên),commune,TINH_THU,2025-07-01\n"
    ),
    "targets.csv": "indicator,org_unit,period,target_type,value\nTHU_NS,XA_B,2025,DT_NAM,1.000\n",
}
INSIDE = {
    "org-units.csv": (
        "code,name,type,parent,valid_from\nPHUONG_A_TDP1,Tổ dân phố 1,office,PHUONG_A,2025-07-01\n"
    ),
    "targets.csv": "indicator,org_unit,period,target_type,value\nTHU_NS,PHUONG_A,2025,DT_NAM,3.100.000\n",
}


REPORT_TYPE_OF_XA_B = """report_types:
- code: XA_B_THANG
  name: Báo cáo tháng của xã
  period_type: month
  org_unit: XA_B
  issuer: [ỦY BAN NHÂN DÂN, XÃ BÌNH MINH]
  issuer_short: UBND xã Bình Minh
  number_suffix: BC-UBND
  place_name: Bình Minh
  doc_type_name: BÁO CÁO
  summary: "Tình hình {{ ky }}"
  authority: TM. ỦY BAN NHÂN DÂN
  signer_titles: [CHỦ TỊCH]
  signer_name: Người Ký
  recipients: ["Lưu: VT."]
  sections:
  - key: chung
    title: Tình hình chung
    blocks:
    - text: "Trong {{ ky }}, tình hình ổn định."
"""


@pytest.fixture
def province(db):
    """The province of the page tests' bundle, imported by the system; the ward's administrator."""
    result = apply_import(None, read_bundle(zipped(FILES)), dry_run=False)
    assert result.applied, result.plan.errors
    return make_user("pa.admin", "admin", OrgUnit.objects.get(code="PHUONG_A"), password="x")


def _state():
    return (
        sorted(OrgUnit.objects.values_list("code", "name")),
        sorted(Target.objects.values_list("org_unit__code", "value")),
        LocalityImport.objects.count(),
    )


def test_the_page_refuses_the_whole_bundle_naming_the_first_object_outside(client, province):
    before = _state()
    client.force_login(province)

    response = client.post(
        URL + "chay-thu/", {"file": upload("phuong-a.zip", zipped(TOUCHING_ANOTHER_SUBTREE))}
    )

    page = response.content.decode()
    assert response.status_code == 400
    errors = re.search(r'<ul class="error">(.*?)</ul>', page, re.DOTALL)
    assert errors, page
    assert errors.group(1).count("<li>") == 1  # one refusal: the first object outside
    assert "XA_B" in errors.group(1) and "ngoài phạm vi quản trị" in errors.group(1)
    assert "org-units.csv" in errors.group(1)
    assert 'name="plan"' not in page  # nothing to apply
    assert _state() == before
    assert client.post(URL + "ap-dung/", {"plan": "0" * 64}).status_code == 400
    assert _state() == before


@pytest.mark.parametrize(
    ("files", "named"),
    [
        # a role for themselves on the province, above their ward
        (
            {"roles.csv": "username,role,org_unit,valid_from\npa.admin,admin,TINH_THU,2025-07-01\n"},
            "TINH_THU",
        ),
        # renaming the province office's clerk, whose role is outside the ward
        ({"users.csv": "username,first_name,last_name\ntinh.vanphong,Kẻ,Lạ\n"}, "tinh.vanphong"),
        # a report type of the commune next door (the issue: "could replace another locality's report type")
        ({"report-types.yaml": REPORT_TYPE_OF_XA_B}, "XA_B"),
        # a data set of the commune next door
        (
            {
                "data-sets.csv": "code,name,period_type\nBM_XA_B,Biểu của xã bên cạnh,month\n",
                "data-set-units.csv": "data_set,org_unit\nBM_XA_B,XA_B\n",
            },
            "XA_B",
        ),
    ],
)
def test_roles_users_and_forms_outside_the_subtree_are_refused_too(client, province, files, named):
    make_user("tinh.vanphong", "office", OrgUnit.objects.get(code="TINH_THU"), first_name="Văn phòng")
    client.force_login(province)
    before = (_state(), list(province.__class__.objects.values_list("username", "first_name")))

    response = client.post(URL + "chay-thu/", {"file": upload("phuong-a.zip", zipped(files))})

    page = response.content.decode()
    assert response.status_code == 400, page
    errors = re.search(r'<ul class="error">(.*?)</ul>', page, re.DOTALL)
    assert errors and named in errors.group(1), page
    assert (_state(), list(province.__class__.objects.values_list("username", "first_name"))) == before


def test_the_command_as_that_administrator_refuses_it_the_same_way(tmp_path, province):
    for name, text in TOUCHING_ANOTHER_SUBTREE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    before = _state()
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_locality", str(tmp_path), "--as", "pa.admin", stderr=err, stdout=io.StringIO())

    assert "XA_B" in err.getvalue() and "ngoài phạm vi quản trị" in err.getvalue()
    assert _state() == before


def test_inside_their_subtree_the_administrator_imports_through_the_page(client, province):
    client.force_login(province)

    page = client.post(URL + "chay-thu/", {"file": upload("phuong-a.zip", zipped(INSIDE))}).content.decode()
    digest = re.search(r'name="plan" value="([0-9a-f]{64})"', page)
    assert digest, page
    response = client.post(URL + "ap-dung/", {"plan": digest.group(1)})

    assert response.status_code == 200
    assert OrgUnit.objects.get(code="PHUONG_A_TDP1").parent.code == "PHUONG_A"
    assert (
        str(Target.objects.get(org_unit__code="PHUONG_A", indicator__code="THU_NS").value) == "3100000.0000"
    )
    record = LocalityImport.objects.latest("created_at")
    assert record.actor == province
    # their history lists their own import
    assert record.bundle_sha256[:12] in client.get(URL).content.decode()
