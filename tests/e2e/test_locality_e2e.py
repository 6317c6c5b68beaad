"""A new locality set up in the browser by its administrators (issue 13, "Done when"): on an empty
database the superuser opens "Bộ cấu hình địa phương" from the menu, uploads a bundle written here from
docs/locality-bundle.md alone, reads the dry run (nothing written yet), applies it, and hands the new
ward administrator their set-password link; the ward administrator sets a password, signs in and sets up
the ward's own office and its form the same way (dry run, then apply). No CSP violation on the way."""

import io
import zipfile

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from baocao.indicators.models import DataSet, Target
from baocao.locality.models import LocalityImport
from baocao.orgunits.models import OrgUnit

BUNDLE = {
    "bundle.yaml": (
        "name: phuong-moi-2025\ndescription: Một phường sau sắp xếp 2025 (thử trong trình duyệt)\n"
    ),
    "org-units.csv": (
        "code,name,type,parent,valid_from,sort_order\n"
        "TINH_THU,Tỉnh Thử,province,,2025-07-01,1\n"
        "PHUONG_MOI,Phường Hoàng Văn Thụ,ward,TINH_THU,2025-07-01,1\n"
        "PHUONG_MOI_CA,Công an phường,police,PHUONG_MOI,2025-07-01,1\n"
    ),
    "sectors.csv": "code,name\nAN,An ninh\nKT,Kinh tế\n",
    "units-of-measure.csv": (
        "code,name,dimension,factor,whole_numbers\n"
        "vu,vụ,count,,có\n"
        "trieu_dong,triệu đồng,money,1.000.000,không\n"
    ),
    "target-types.csv": "code,name\nDT_NAM,dự toán năm\n",
    "indicators.csv": (
        "code,name,sector,unit,value_type,direction,responsible_unit\n"
        "PM_TAI_NAN,Số vụ tai nạn giao thông,AN,vu,integer,down,PHUONG_MOI_CA\n"
        "PM_THU_NS,Thu ngân sách trên địa bàn phường,KT,trieu_dong,decimal,up,PHUONG_MOI\n"
    ),
    "targets.csv": (
        "indicator,org_unit,period,target_type,value\nPM_THU_NS,PHUONG_MOI,2025,DT_NAM,2.990.000\n"
    ),
    "data-sets.csv": (
        "code,name,period_type,deadline_working_days\nBM_PM_CA,Biểu tháng Công an phường,month,2\n"
    ),
    "data-set-indicators.csv": "data_set,indicator,kind,sort_order\nBM_PM_CA,PM_TAI_NAN,actual,1\n",
    "data-set-units.csv": "data_set,org_unit\nBM_PM_CA,PHUONG_MOI_CA\n",
    "users.csv": "username,first_name,last_name\npm.quantri,Lý Thị,Hoa\n",
    "roles.csv": "username,role,org_unit,valid_from\npm.quantri,admin,PHUONG_MOI,2025-07-01\n",
}


WARD_ADDITION = {
    "bundle.yaml": "name: van-phong-phuong\n",
    "org-units.csv": (
        "code,name,type,parent,valid_from\n"
        "PHUONG_MOI_VP,Văn phòng HĐND và UBND phường,office,PHUONG_MOI,2025-07-01\n"
    ),
    "data-sets.csv": "code,name,period_type\nBM_PM_VP,Biểu tháng Văn phòng phường,month\n",
    "data-set-indicators.csv": "data_set,indicator\nBM_PM_VP,PM_THU_NS\n",
    "data-set-units.csv": "data_set,org_unit\nBM_PM_VP,PHUONG_MOI_VP\n",
}


def _zip(files: dict[str, str] = BUNDLE) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"phuong-moi/{name}", text.encode("utf-8"))
    return buffer.getvalue()


def test_the_administrator_sets_up_a_locality_from_a_bundle_dry_run_first(
    transactional_db, page: Page, live_server, login
):
    User.objects.create_superuser("quantri", password="mat-khau-quan-tri")
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login("quantri", "mat-khau-quan-tri")

    page.get_by_role("link", name="Bộ cấu hình địa phương").click()
    expect(page.get_by_role("heading", name="Bộ cấu hình địa phương", exact=True)).to_be_visible()
    page.get_by_label("Tệp bộ cấu hình").set_input_files(
        {"name": "phuong-moi.zip", "mimeType": "application/zip", "buffer": _zip()}
    )
    page.get_by_role("button", name="Chạy thử").click()

    # The dry run: grouped by kind, nothing written yet.
    plan = page.locator("#ket-qua-chay-thu")
    expect(plan).to_contain_text("Bộ cấu hình “phuong-moi-2025”")
    expect(plan).to_contain_text("Chưa có gì được ghi")
    expect(plan.locator(".locality-groups")).to_be_visible()
    expect(plan).to_contain_text("PHUONG_MOI_CA")
    expect(plan).to_contain_text("pm.quantri")
    assert not OrgUnit.objects.exists() and not LocalityImport.objects.exists()

    page.get_by_role("button", name="Áp dụng").click()

    result = page.locator(".locality-result")
    expect(result).to_contain_text("Đã áp dụng bộ cấu hình “phuong-moi-2025”")
    expect(result).to_contain_text("pm.quantri")
    link = result.locator("code").first.inner_text()
    assert "/dat-mat-khau/" in link
    expect(page.locator(".locality-history")).to_contain_text("phuong-moi-2025")
    assert OrgUnit.objects.get(code="PHUONG_MOI_CA").parent.code == "PHUONG_MOI"
    assert list(DataSet.objects.get(code="BM_PM_CA").org_units.values_list("code", flat=True)) == [
        "PHUONG_MOI_CA"
    ]
    assert Target.objects.get(indicator__code="PM_THU_NS").value == 2990000
    assert LocalityImport.objects.get().actor.username == "quantri"

    # The ward's administrator uses the link, signs in, and finds the page scoped to the ward.
    page.context.clear_cookies()
    page.goto(link)
    page.get_by_label("Mật khẩu mới", exact=True).fill("Phuong-moi-2025!")
    page.get_by_label("Nhập lại mật khẩu mới").fill("Phuong-moi-2025!")
    page.get_by_role("button", name="Đặt mật khẩu").click()
    login("pm.quantri", "Phuong-moi-2025!")
    page.get_by_role("link", name="Bộ cấu hình địa phương").click()
    expect(page.locator("main")).to_contain_text("Phường Hoàng Văn Thụ và các đơn vị trực thuộc")

    # As the ward's administrator: add the ward's own office and its form, dry run first, then apply.
    page.get_by_label("Tệp bộ cấu hình").set_input_files(
        {"name": "van-phong.zip", "mimeType": "application/zip", "buffer": _zip(WARD_ADDITION)}
    )
    page.get_by_role("button", name="Chạy thử").click()
    expect(page.locator("#ket-qua-chay-thu")).to_contain_text("PHUONG_MOI_VP")
    assert not OrgUnit.objects.filter(code="PHUONG_MOI_VP").exists()
    page.get_by_role("button", name="Áp dụng").click()
    expect(page.locator(".locality-result")).to_contain_text("Đã áp dụng bộ cấu hình “van-phong-phuong”")
    assert OrgUnit.objects.get(code="PHUONG_MOI_VP").parent.code == "PHUONG_MOI"
    assert DataSet.objects.get(code="BM_PM_VP").org_units.get().code == "PHUONG_MOI_VP"
    assert LocalityImport.objects.latest("created_at").actor.username == "pm.quantri"
    assert violations == []
