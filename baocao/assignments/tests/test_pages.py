"""Pages on the demo: scoped by permission, the office's table and drill-down, Excel in and out."""

import io

from openpyxl import Workbook, load_workbook

from baocao.assignments.models import Task
from baocao.orgunits.models import OrgUnit


def test_pages_need_login(client, db):
    assert client.get("/nhiem-vu/").status_code == 302


def test_unit_sees_only_its_tasks_with_highlighting(client_as):
    page = client_as("ttvhtt.canbo").get("/nhiem-vu/").content.decode()
    assert "Tham mưu kế hoạch tổ chức các hoạt động văn hóa" in page and 'class="overdue"' in page
    assert "Phòng Tài nguyên" not in page
    other = Task.objects.get(code="NV2020-010")
    assert client_as("ttvhtt.canbo").get(f"/nhiem-vu/{other.pk}/").status_code == 404


def test_home_page_has_the_reminder_panel(client_as):
    page = client_as("ttvhtt.canbo").get("/").content.decode()
    assert "Nhắc việc" in page and "1 nhiệm vụ quá hạn" in page


def test_office_table_drill_down_and_export(client_as):
    client = client_as("vanphong")
    page = client.get("/nhiem-vu/tong-hop/?ky=202006").content.decode()
    assert "Trung tâm Văn hóa - Thể thao: chưa tham mưu 01 nội dung" in page
    assert "/nhiem-vu/tong-hop/202006/TPLS_PTNMT/?trang-thai=done_late" in page
    late = client.get("/nhiem-vu/tong-hop/202006/TPLS_PTNMT/?trang-thai=done_late").content.decode()
    assert late.count("Hoàn thành quá hạn") == 3
    assert client.get("/nhiem-vu/tong-hop/?ky=2020-06").status_code == 400
    response = client.get("/nhiem-vu/tong-hop/202006/excel/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][2:] == (
        "Tổng số",
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn (chậm tiến độ)",
        "Chưa hoàn thành, trong hạn",
        "Chưa hoàn thành, quá hạn",
    )
    assert next(r for r in rows if r[1] == "Tổng cộng")[2:] == (23, 16, 5, 1, 1)


def workbook(*rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "Nhiệm vụ"
    sheet.append(
        [
            "Số, ký hiệu văn bản",
            "Ngày văn bản",
            "Cơ quan ban hành",
            "Trích yếu",
            "Nội dung nhiệm vụ",
            "Đơn vị chủ trì",
            "Ngày giao",
            "Hạn hoàn thành",
            "Hằng tháng trước ngày",
            "Tham mưu",
        ]
    )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "nv.xlsx"
    return out


GOOD = (
    "200/KH-UBND",
    "01/7/2020",
    "UBND thành phố",
    "Kế hoạch tháng 7",
    "Báo cáo A",
    "TPLS_PKT",
    "02/7/2020",
    "20/7/2020",
    "",
    "x",
)
MONTHLY = (
    "200/KH-UBND",
    "01/7/2020",
    "UBND thành phố",
    "Kế hoạch tháng 7",
    "Báo cáo B",
    "TPLS_PTNMT",
    "02/7/2020",
    "",
    25,
    "",
)


def test_excel_import_dry_run_then_commit(client_as):
    client = client_as("vanphong")
    before = Task.objects.count()
    response = client.post(
        "/nhiem-vu/nhap-excel/", {"file": workbook(GOOD, MONTHLY), "dry_run": "1"}, follow=True
    )
    assert "Kiểm tra xong: 2 nhiệm vụ hợp lệ" in response.content.decode()
    assert Task.objects.count() == before
    response = client.post("/nhiem-vu/nhap-excel/", {"file": workbook(GOOD, MONTHLY)}, follow=True)
    assert "Đã nhập 2 nhiệm vụ" in response.content.decode()
    assert Task.objects.count() == before + 2
    assert Task.objects.get(content="Báo cáo B").monthly_day == 25


def test_excel_import_is_all_or_nothing_and_names_sheet_row_column(client_as):
    client = client_as("vanphong")
    before = Task.objects.count()
    bad_deadline = (*GOOD[:6], "02/7/2020", "01/7/2020", "", "")
    bad_unit = (*GOOD[:5], "KHONG_CO", *GOOD[6:])
    bad_date = (*GOOD[:6], "31/02/2020", *GOOD[7:])
    response = client.post(
        "/nhiem-vu/nhap-excel/", {"file": workbook(GOOD, bad_deadline, bad_unit, bad_date)}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "Trang “Nhiệm vụ”, dòng 3, cột H (Hạn hoàn thành): Hạn hoàn thành (1/7/2020) trước ngày giao" in page
    )
    assert (
        "Trang “Nhiệm vụ”, dòng 4, cột F (Đơn vị chủ trì): Đơn vị chủ trì: không có đơn vị mã “KHONG_CO”"
        in page
    )
    assert "dòng 5, cột G (Ngày giao)" in page and "không có ngày 31" in page
    assert Task.objects.count() == before


def test_unit_staff_cannot_import_or_return(client_as):
    client = client_as("pkt.canbo")
    assert client.get("/nhiem-vu/nhap-excel/").status_code == 403
    completion = Task.objects.get(code="NV2020-001").completions.get()
    assert client.post(f"/nhiem-vu/hoan-thanh/{completion.pk}/tra-lai/", {"reason": "x"}).status_code == 403


def test_office_assigns_a_task_through_the_form(client_as):

    client = client_as("vanphong")
    pkt = OrgUnit.objects.get(code="TPLS_PKT")
    form = {
        "directive_number": "150/KH-UBND",
        "directive_date": "01/6/2020",
        "directive_issuer": "UBND thành phố",
        "directive_summary": "Kế hoạch phát triển kinh tế ban đêm",
        "content": "Tham mưu đề án phát triển kinh tế ban đêm",
        "lead_unit": pkt.pk,
        "assigned_on": "02/6/2020",
        "deadline": "01/6/2020",  # before the assignment: refused, nothing written
        "is_advisory": "on",
    }
    count = Task.objects.count()
    page = client.post("/nhiem-vu/giao/", form).content.decode()
    assert "Hạn hoàn thành" in page and "trước ngày giao" in page
    assert Task.objects.count() == count
    form["deadline"] = "30/6/2020"
    response = client.post("/nhiem-vu/giao/", form)
    task = Task.objects.latest("pk")
    assert response["Location"] == f"/nhiem-vu/{task.pk}/"
    assert (task.lead_unit.code, task.directive.number, task.is_advisory) == ("TPLS_PKT", "150/KH-UBND", True)
    assert client_as("pkt.canbo").get("/nhiem-vu/giao/").status_code == 403
