import codecs
import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from baocao.analytics.explorer import ExplorerError, build_pivot, parse_query, search_indicators
from baocao.collection.models import DataValue
from baocao.core.numbers import parse_number
from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit

URL = "/tong-hop/kham-pha/"
SELECTION = "?indicator=THU_NSNN&indicator=HS_VU&unit=TPLS&type=month&from=202004&to=202006&kind=actual"


def page_numbers(html: str) -> list[list[str]]:
    """The pivot table's numbers as the page shows them, row by row (empty cells kept)."""
    body = html.split('id="pivot"', 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<td class="num">(.*?)</td>', row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.DOTALL)
    ]


def test_the_page_shows_the_pivot_and_the_chart_data(client_as):
    response = client_as("lanhdao").get(URL + SELECTION)
    assert response.status_code == 200
    html = response.content.decode()
    stored = DataValue.objects.get(indicator__code="THU_NSNN", period="202006", kind="actual").value
    rows = page_numbers(html)
    assert len(rows) == 2  # two indicators × one unit
    assert rows[0][-1] == re.sub(r"\s", "", rows[0][-1])
    assert parse_number(rows[0][-1]) == stored  # the seed's June value, written the Vietnamese way
    assert 'id="explorer-chart-data" type="application/json"' in html
    assert "tháng 4/2020" in html and "tháng 6/2020" in html
    assert "Tải bảng Excel (.xlsx)" in html


def test_the_xlsx_export_holds_the_numbers_of_the_page(client_as):
    client = client_as("lanhdao")
    html = client.get(URL + SELECTION).content.decode()
    shown = page_numbers(html)
    response = client.get(URL + "tai.xlsx" + SELECTION)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Số liệu"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị", "Đơn vị tính")
    assert rows[0][4:] == ("tháng 4/2020", "tháng 5/2020", "tháng 6/2020")
    assert [r[0] for r in rows[1:]] == ["THU_NSNN", "HS_VU"]
    for row, page_row in zip(rows[1:], shown, strict=True):
        numbers = [None if text == "" else parse_number(text) for text in page_row]
        assert [None if v is None else Decimal(str(v)) for v in row[4:]] == numbers
        assert all(v is None or isinstance(v, int | float) for v in row[4:])  # number cells, not text


def test_the_csv_export_holds_the_numbers_of_the_page(client_as):
    client = client_as("lanhdao")
    shown = page_numbers(client.get(URL + SELECTION).content.decode())
    response = client.get(URL + "tai.csv" + SELECTION)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0][4:] == ["tháng 4/2020", "tháng 5/2020", "tháng 6/2020"]
    assert [r[4:] for r in rows[1:]] == shown


def test_the_csv_opens_in_excel_with_its_vietnamese_letters(client_as):
    """Excel takes a CSV without a byte order mark for the Windows code page ("MÃ£ chá»‰ tiÃªu")."""
    content = client_as("lanhdao").get(URL + "tai.csv" + SELECTION).content
    assert content.startswith(codecs.BOM_UTF8)
    assert content.decode("utf-8-sig").startswith("Mã chỉ tiêu,Chỉ tiêu,Đơn vị,Đơn vị tính,")


def test_a_text_cell_cannot_become_a_formula(client_as):
    OrgUnit.objects.filter(code="TPLS").update(name="=HYPERLINK(1)")
    client = client_as("lanhdao")
    rows = list(csv.reader(io.StringIO(client.get(URL + "tai.csv" + SELECTION).content.decode())))
    assert rows[1][2] == "'=HYPERLINK(1)"
    sheet = load_workbook(io.BytesIO(client.get(URL + "tai.xlsx" + SELECTION).content))["Số liệu"]
    assert sheet.cell(2, 3).data_type == "s" and sheet.cell(2, 3).value == "=HYPERLINK(1)"


def test_a_changed_value_is_on_the_next_page(client_as):
    client = client_as("lanhdao")
    before = page_numbers(client.get(URL + SELECTION).content.decode())[0][-1]
    DataValue.objects.filter(indicator__code="THU_NSNN", period="202006", kind="actual").update(
        value=Decimal(12345)
    )
    after = page_numbers(client.get(URL + SELECTION).content.decode())[0][-1]
    assert before != after and after == "12.345"


def test_quarters_follow_the_months_of_their_decree_09_window(client_as):
    client = client_as("lanhdao")
    months = page_numbers(
        client.get(URL + "?indicator=THU_NSNN&unit=TPLS&from=202004&to=202006").content.decode()
    )
    quarter = page_numbers(
        client.get(URL + "?indicator=THU_NSNN&unit=TPLS&type=quarter&from=2020Q2&to=2020Q2").content.decode()
    )
    total = sum((parse_number(t) for t in months[0] if t), Decimal(0))
    assert len(quarter) == 1 and len(quarter[0]) == 1
    assert total > 0 and parse_number(quarter[0][0]) == total  # April + May + June (sum across periods)


def test_nine_months_and_year_are_their_months_by_the_indicators_rule(client_as):
    client = client_as("lanhdao")
    months = page_numbers(
        client.get(URL + "?indicator=THU_NSNN&unit=TPLS&from=202001&to=202009").content.decode()
    )
    total = sum((parse_number(t) for t in months[0] if t), Decimal(0))
    for query in ("type=nine_months&from=2020N9&to=2020N9", "type=year&from=2020&to=2020"):
        html = client.get(URL + "?indicator=THU_NSNN&unit=TPLS&" + query).content.decode()
        assert [parse_number(t) for t in page_numbers(html)[0]] == [total]
    assert (
        "9 tháng năm 2020"
        in client.get(URL + "?indicator=THU_NSNN&unit=TPLS&type=nine_months&from=2020N9").content.decode()
    )


def test_the_selection_is_bookmarkable(client_as):
    html = client_as("lanhdao").get(URL + SELECTION + "&chart=bar").content.decode()
    link = re.search(r'id="explorer-link"', html) and re.search(r'href="([^"]+)" id="explorer-link"', html)
    assert link is not None
    target = link.group(1).replace("&amp;", "&")
    for part in (
        "indicator=THU_NSNN",
        "indicator=HS_VU",
        "unit=TPLS",
        "from=202004",
        "to=202006",
        "chart=bar",
    ):
        assert part in target
    assert client_as("lanhdao").get(target).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?indicator=KHONG_CO&unit=TPLS", "không có chỉ tiêu mã KHONG_CO"),
        ("?indicator=THU_NSNN&unit=TPLS&from=202013", "Từ kỳ: Mã kỳ báo cáo"),
        ("?indicator=THU_NSNN&unit=TPLS&type=quarter&from=202004&to=2020Q2", "không phải loại “Quý”"),
        ("?indicator=THU_NSNN&unit=TPLS&type=decade", "Loại kỳ “decade” không có"),
        ("?indicator=THU_NSNN&unit=TPLS&kind=plan", "Loại số liệu “plan” không có"),
        ("?indicator=THU_NSNN&unit=TPLS&from=202006&to=202001", "đứng sau"),
        ("?indicator=THU_NSNN&unit=TPLS&from=201001&to=202006", "chọn tối đa 60 tháng"),
    ],
)
def test_bad_input_is_a_vietnamese_message(client_as, query, message):
    response = client_as("lanhdao").get(URL + query)
    assert response.status_code == 400
    assert message in response.content.decode()
    export = client_as("lanhdao").get(URL + "tai.xlsx" + query)
    assert export.status_code == 400 and message in export.content.decode()


def test_a_unit_outside_the_users_scope_is_a_404_like_a_unit_that_does_not_exist(client_as):
    clerk = client_as("ca.canbo")  # the police's clerk sees the police only
    outside = clerk.get(URL + "?indicator=THU_NSNN&unit=TPLS_CCT")
    missing = clerk.get(URL + "?indicator=THU_NSNN&unit=KHONG_CO")
    assert outside.status_code == missing.status_code == 404
    assert "không được xem đơn vị này" in outside.content.decode()
    assert clerk.get(URL + "tai.csv?indicator=THU_NSNN&unit=TPLS_CCT").status_code == 404
    own = clerk.get(URL + "?indicator=HS_VU&unit=TPLS_CA")
    assert own.status_code == 200
    # The unit list offers only what the clerk may see.
    assert 'value="TPLS_CCT"' not in own.content.decode()


def test_unknown_export_format_is_a_404(client_as):
    assert client_as("lanhdao").get(URL + "tai.pdf" + SELECTION).status_code == 404


def test_search_is_accent_insensitive_by_name_or_code(demo):
    assert "THU_NSNN" in [i.code for i in search_indicators("thu ngan sach")]
    assert "THU_NSNN" in [i.code for i in search_indicators("THU NGÂN SÁCH")]
    assert [i.code for i in search_indicators("hs_vu")] == ["HS_VU"]
    assert search_indicators("   ") == []


def test_search_without_javascript_lists_matches_to_tick(client_as):
    html = client_as("lanhdao").get(URL + "?tim=pham phap hinh su").content.decode()
    assert 'name="indicator" value="HS_VU"' in html


def test_bounded_queries_whatever_the_number_of_indicators_and_units(demo):
    visible = OrgUnit.objects.all()
    one = parse_query(
        {"indicator": ["THU_NSNN"], "unit": ["TPLS"], "from": ["202004"], "to": ["202006"]}, visible, None
    )
    many = parse_query(
        {
            "indicator": ["THU_NSNN", "CHI_NSNN", "HS_VU", "QLTT_KIEM_TRA"],
            "unit": ["TPLS", "TPLS_CA", "TPLS_CCT"],
            "from": ["202004"],
            "to": ["202006"],
        },
        visible,
        None,
    )
    assert one is not None and many is not None
    with CaptureQueriesContext(connection) as few:
        build_pivot(one)
    with CaptureQueriesContext(connection) as more:
        build_pivot(many)
    assert len(few) == len(more)


def test_parse_query_defaults_to_the_latest_periods(demo):
    query = parse_query(
        {"indicator": ["THU_NSNN"]},
        OrgUnit.objects.all(),
        Period.parse("202006"),
        OrgUnit.objects.get(code="TPLS"),
    )
    assert query is not None
    assert (query.start.id, query.end.id, [u.code for u in query.units]) == ("201907", "202006", ["TPLS"])
    quarters = parse_query(
        {"indicator": ["THU_NSNN"], "type": ["quarter"]},
        OrgUnit.objects.all(),
        Period.parse("202005"),
        OrgUnit.objects.get(code="TPLS"),
    )
    assert quarters is not None and quarters.end.id == "2020Q1"  # Q2 has not ended by May
    with pytest.raises(ExplorerError) as error:
        parse_query(
            {"indicator": ["X"] * 1, "unit": [f"U{n}" for n in range(40)]}, OrgUnit.objects.all(), None
        )
    assert "tối đa 30 đơn vị" in error.value.message


HOSTILE = (
    "99999999999999999999999",
    "-1",
    "1e999999999",
    "NaN",
    "999912",
    "2020Q5",
    "x" * 5000,
    "9" * 5000,
    "\u202e\u0301\ufeffA\u0300",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "=cmd|' /C calc'!A0",
    "",
    " ",
)


@pytest.mark.parametrize("param", ["indicator", "unit", "type", "from", "to", "kind", "chart", "tim"])
def test_hostile_parameters_never_give_a_5xx(client_as, param):
    client = client_as("lanhdao")
    base = {"indicator": "THU_NSNN", "unit": "TPLS", "from": "202005", "to": "202006"}
    for value in HOSTILE:
        query = {**base, param: value}
        for url in (URL, URL + "tai.xlsx", URL + "tai.csv"):
            response = client.get(url, query)
            assert response.status_code < 500, (url, param, value[:20])
            if response.status_code >= 400:
                assert response["Content-Type"].startswith("text/html")


def test_a_long_code_is_not_echoed_whole(client_as):
    response = client_as("lanhdao").get(URL, {"indicator": "X" * 5000, "unit": "TPLS"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "không có chỉ tiêu mã " + "X" * 60 + "…" in html and "X" * 61 not in html
