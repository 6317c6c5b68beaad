"""Pages that find things (issue 17, point 4): the month picker, sortable tables, breadcrumbs."""

import datetime
import re
from html import unescape as html_unescape

from django.urls import reverse

from baocao.assignments.models import Task
from baocao.core.collation import sort_key_hex
from baocao.orgunits.models import OrgUnit


def test_report_creation_offers_months_with_their_windows_not_a_code_box(client_as, settings) -> None:
    settings.BAOCAO_TODAY = "2020-06-10"
    html = client_as("vanphong").get(reverse("reports:list")).content.decode()
    assert 'placeholder="202007"' not in html
    assert '<option value="202006" selected>Tháng 6/2020 (15/5–14/6)</option>' in html
    assert 'aria-label="Đường dẫn"' in html
    assert "data-table-tools" in html


def test_task_list_is_a_sortable_filterable_table_with_vietnamese_keys(client_as, settings) -> None:
    settings.BAOCAO_TODAY = "2020-06-10"
    unit = OrgUnit.objects.get(code="TPLS_PGDDT")
    Task.objects.create(
        content="Đôn đốc các trường hoàn thành kế hoạch",
        lead_unit=unit,
        assigned_on=datetime.date(2020, 5, 5),
        deadline_kind="once",
        deadline=datetime.date(2020, 6, 30),
    )
    html = client_as("vanphong").get(reverse("assignments:mine")).content.decode()
    assert '<table data-table-tools data-filter="Lọc nhiệm vụ (có dấu hoặc không dấu)"' in html
    assert '<th data-sort="date">Hạn</th>' in html
    assert f'data-sort-key="{sort_key_hex("Đôn đốc các trường hoàn thành kế hoạch")}"' in html
    assert 'data-sort-key="2020-06-30"' in html
    assert 'aria-current="page">Nhiệm vụ' in html


def test_main_pages_have_breadcrumbs_back_to_where_they_came_from(client_as) -> None:
    client = client_as("vanphong")
    run_id = client.get(reverse("reports:list")).context["rows"][0][1][0].pk
    report = client.get(reverse("reports:detail", args=[run_id])).content.decode()
    assert '<nav class="breadcrumbs" aria-label="Đường dẫn">' in report
    assert f'<li><a href="{reverse("reports:list")}">Báo cáo</a></li>' in report
    for name, here in [
        ("analytics:figures", "Số liệu"),
        ("analytics:explorer", "Khai thác số liệu"),
        ("quality:report", "Kiểm tra số liệu"),
    ]:
        page = client.get(reverse(name)).content.decode()
        assert f'<li aria-current="page">{here}</li>' in page, name


def test_tasks_summary_chooses_periods_and_sorts_units_in_vietnamese_order(client_as) -> None:
    html = client_as("vanphong").get(reverse("assignments:summary"), {"ky": "202006"}).content.decode()
    assert '<option value="202006" selected>Tháng 6/2020 (15/5–14/6)</option>' in html
    assert '<table data-table-tools data-filter="Lọc đơn vị">' in html
    rows = re.findall(r'<td data-sort-key="([0-9a-f]+)"><a href="[^"]+">([^<]+)</a></td>', html)
    assert rows and all(key == sort_key_hex(html_unescape(name)) for key, name in rows)
