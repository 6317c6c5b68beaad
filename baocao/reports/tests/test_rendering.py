"""Text blocks rendered from the demo's figures reproduce the seed report (UBND thành phố Lạng Sơn,
June 2020); the sandbox keeps templates away from models and the database.

The expected strings are the seed's text; nothing here feeds them to the code."""

import datetime
from decimal import Decimal

import pytest

from baocao.analytics.figures import get_figures
from baocao.collection.models import DataValue
from baocao.collection.values import import_values_csv
from baocao.core.periods import Period
from baocao.reports.rendering import (
    FiguresView,
    RenderError,
    make_environment,
    render_block,
    report_context,
    validate_block,
)
from baocao.testing.factories import computed_from_demo

JUNE = Period.month(2020, 6)

BUDGET = (
    "Công tác thu ngân sách nhà nước tính đến ngày {{ ngay_chot|ngay_ngan }} số thu trong tháng được "
    "{{ f.THU_NSNN.value|so }} triệu đồng đạt {{ f.THU_NSNN.target('DT_THANG').ratio|phan_tram }} "
    "dự toán tháng; đạt {{ f.THU_NSNN.target('DT_TINH').ytd_ratio|phan_tram }} Dự toán tỉnh giao; "
    "đạt {{ f.THU_NSNN.target('DT_TP').ytd_ratio|phan_tram }} Dự toán thành phố giao và "
    "{{ f.THU_NSNN.ratio_to_last_year|dat }}; "
    "{% set uoc = f.THU_NSNN.estimate %}"
    "Ước thực hiện {{ ky }} thu được {{ uoc.value|so }} {{ uoc.unit }} đạt "
    "{{ uoc.target('DT_THANG').ratio|phan_tram }} dự toán tháng; đạt "
    "{{ uoc.target('DT_TINH').ytd_ratio|phan_tram }} Dự toán tỉnh giao; đạt "
    "{{ uoc.target('DT_TP').ytd_ratio|phan_tram }} Dự toán thành phố giao và "
    "{{ uoc.ratio_to_last_year|dat }}."
)
BUDGET_SEED = (
    "Công tác thu ngân sách nhà nước tính đến ngày 14/6/2020 số thu trong tháng được 9.050 triệu đồng "
    "đạt 22,6% dự toán tháng; đạt 41,3% Dự toán tỉnh giao; đạt 39,3% Dự toán thành phố giao và đạt "
    "79,1% so với cùng kỳ; Ước thực hiện tháng 6/2020 thu được 27.644 triệu đồng đạt 69,1% dự toán "
    "tháng; đạt 45,7% Dự toán tỉnh giao; đạt 43,5% Dự toán thành phố giao và đạt 87,6% so với cùng kỳ."
)

CRIME = (
    "Phạm pháp hình sự xảy ra {{ f.HS_VU.value|dem }} vụ, làm chết {{ f.HS_CHET.value|dem }} người, "
    "bị thương {{ f.HS_BI_THUONG.value|dem }} người thiệt hại tài sản trị giá khoảng "
    "{{ f.HS_THIET_HAI.value|so }}đ ({{ f.HS_VU.value|so_sanh(f.HS_VU.previous, 'vụ') }})."
)
CRIME_SEED = (
    "Phạm pháp hình sự xảy ra 07 vụ, làm chết 01 người, bị thương 06 người thiệt hại tài sản trị giá "
    "khoảng 28.000.000đ (tăng 03 vụ so với tháng trước)."
)

CAPITAL = (
    "{% set kl = f.XDCB_KHOI_LUONG.estimate %}{% set gn = f.XDCB_GIAI_NGAN.estimate %}"
    "Ước khối lượng thực hiện {{ ky }} đạt {{ kl.value|so }} triệu đồng, bằng "
    "{{ kl.target('KH_VON').ratio|phan_tram(0) }} kế hoạch vốn. Ước giá trị giải ngân, thanh toán đạt "
    "{{ gn.value|so }} triệu đồng, bằng {{ gn.target('KH_VON').ratio|phan_tram(0) }} kế hoạch vốn, bằng "
    "{{ f.ratio('XDCB_GIAI_NGAN', 'XDCB_KHOI_LUONG', 'estimate')|phan_tram(0) }} khối lượng thực hiện."
)
CAPITAL_SEED = (
    "Ước khối lượng thực hiện tháng 6/2020 đạt 27.462 triệu đồng, bằng 24% kế hoạch vốn. Ước giá trị "
    "giải ngân, thanh toán đạt 28.718 triệu đồng, bằng 25% kế hoạch vốn, bằng 105% khối lượng thực hiện."
)


@pytest.fixture(scope="module")
def june(django_db_setup, django_db_blocker):
    """The standard context of June 2020, computed once from the demo (rolled back afterwards)."""
    figures = computed_from_demo(django_db_blocker, lambda: get_figures(["TPLS"], JUNE))
    return report_context(figures, JUNE, "UBND thành phố Lạng Sơn")


# ------------------------------------------------------------------------------- the seed's sentences


def test_budget_sentence(june):
    assert render_block(BUDGET, june) == BUDGET_SEED


def test_crime_sentence(june):
    assert render_block(CRIME, june) == CRIME_SEED


def test_capital_sentence(june):
    assert render_block(CAPITAL, june) == CAPITAL_SEED


def test_standard_context(june):
    assert june["ky"] == "tháng 6/2020"
    assert june["ky_truoc"] == "tháng 5/2020"
    assert june["ngay_chot"] == datetime.date(2020, 6, 14)
    assert render_block("{{ don_vi }}, {{ ngay_chot|ngay }}", june) == (
        "UBND thành phố Lạng Sơn, ngày 14 tháng 6 năm 2020"
    )


def test_other_filters(june):
    source = (
        "{{ f.BAN_LE_DV.estimate.value|tien('tỷ đồng', 'triệu đồng') }}; "
        "{{ f.THU_NSNN.value|tien('triệu đồng', 'tỷ đồng', 1) }}; "
        "{{ f.THU_NSNN.ratio_to_last_year|tang_giam }}; {{ f.HS_VU.value|dem(false) }}; "
        "{{ f['HS_VU'].value|so(2) }} {{ f.HS_VU.unit }}"
    )
    assert render_block(source, june) == (
        "385.000 triệu đồng; 9,1 tỷ đồng; giảm 20,9% so với cùng kỳ; 7; 7,00 vụ"
    )


def test_a_changed_value_changes_the_text(demo):
    def crime() -> str:
        return render_block(CRIME, report_context(get_figures(["TPLS"], JUNE), JUNE, "TP"))

    assert "07 vụ" in crime()
    import_values_csv("indicator,org_unit,period,kind,value\nHS_VU,TPLS_CA,202006,actual,9\n")
    assert "xảy ra 09 vụ" in crime() and "(tăng 05 vụ so với tháng trước)" in crime()
    DataValue.objects.filter(indicator__code="HS_VU", period="202006").update(value=Decimal(4))
    assert "xảy ra 04 vụ" in crime() and "(bằng tháng trước)" in crime()


# ------------------------------------------------------------------------------------- safety & errors


def test_autoescape(june):
    context = {**june, "ghi_chu": "<script>alert('x')</script> & co"}
    assert (
        render_block("{{ ghi_chu }}", context) == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"
    )
    assert make_environment().autoescape is True


@pytest.fixture
def small(world):
    """One indicator with a value this month and none the month before, in the `world` fixture."""
    cases = world.indicator("VU_VIEC")
    world.value(cases, world.police, "202006", 7)
    figures = get_figures([world.city], JUNE)
    return world, report_context(figures, JUNE, world.city.name)


@pytest.mark.parametrize(
    "source",
    [
        "{{ f.__class__ }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ f.VU_VIEC._figure }}",
        "{{ f.VU_VIEC._figure.indicator.save() }}",
        "{{ f._set.indicators }}",
        "{{ f.get.__globals__ }}",
        "{{ f.VU_VIEC.target.__func__ }}",
    ],
)
def test_sandbox_refuses_private_and_dunder_attributes(small, source, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(RenderError, match="không được phép"):
        render_block(source, small[1])


@pytest.mark.parametrize(
    "source",
    [
        "{{ f.VU_VIEC.indicator.objects.all() }}",
        "{{ f.VU_VIEC.indicator.save() }}",
        "{{ f.VU_VIEC.objects }}",
        "{{ f.VU_VIEC.org_unit.save() }}",
        "{% set x = f.VU_VIEC.value.__class__ %}{{ x }}",
    ],
)
def test_templates_cannot_reach_models_or_write(small, source, django_assert_num_queries):
    context = small[1]
    before = list(DataValue.objects.values_list("pk", "value", "version"))
    with django_assert_num_queries(0), pytest.raises(RenderError):
        render_block(source, context)
    assert list(DataValue.objects.values_list("pk", "value", "version")) == before


def test_model_instances_are_refused_in_the_context(small):
    context = small[1]
    with pytest.raises(RenderError, match="đối tượng cơ sở dữ liệu"):
        render_block("{{ dv }}", {**context, "dv": DataValue.objects.first()})


def test_figure_views_expose_only_plain_values(small):
    figure = FiguresView(get_figures([small[0].city], JUNE))["VU_VIEC"]
    assert type(figure.value) is Decimal
    assert {type(getattr(figure, a)) for a in ("code", "name", "unit", "org_unit", "kind_label")} == {str}


def test_unknown_code_is_named(small):
    with pytest.raises(RenderError, match='Không có chỉ tiêu "XYZ"'):
        render_block("Số thu {{ f.XYZ.value|so }}", small[1])


def test_unknown_name_is_named(small):
    with pytest.raises(RenderError, match='"khong_co"'):
        render_block("{{ khong_co }}", small[1])


def test_missing_value_names_the_figure(small):
    with pytest.raises(RenderError, match='Thiếu số liệu: số kỳ trước của chỉ tiêu "VU_VIEC"'):
        render_block("{{ f.VU_VIEC.value|so_sanh(f.VU_VIEC.previous, 'vụ') }}", small[1])
    with pytest.raises(RenderError, match='Thiếu số liệu: số kỳ trước của chỉ tiêu "VU_VIEC"'):
        render_block("{{ f.VU_VIEC.previous }}", small[1])
    with pytest.raises(RenderError, match='Bộ lọc "so" nhận giá trị trống'):
        render_block("{{ x|so }}", {**small[1], "x": None})
    # A block can test for missing data instead of failing.
    source = "{% if f.VU_VIEC.previous is defined %}có{% else %}chưa có số liệu tháng trước{% endif %}"
    assert render_block(source, small[1]) == "chưa có số liệu tháng trước"


def test_unknown_target_and_bad_filter_arguments(small):
    with pytest.raises(RenderError, match="không có kế hoạch loại DT_THANG"):
        render_block("{{ f.VU_VIEC.target('DT_THANG').ratio|phan_tram }}", small[1])
    with pytest.raises(RenderError, match='Bộ lọc "tien": Đơn vị tiền tệ không hợp lệ'):
        render_block("{{ f.VU_VIEC.value|tien('đô la', 'tỷ đồng') }}", small[1])


def test_bare_numbers_are_written_the_vietnamese_way_and_runtime_errors_are_render_errors(june):
    assert render_block("{{ f.THU_NSNN.value }} / {{ f.GCN_CAP_DIEN_TICH.value }}", june) == "9.050 / 879,1"
    with pytest.raises(RenderError, match=r"^Lỗi khi hiển thị mẫu: "):
        render_block("{{ f.THU_NSNN.value / 0 }}", june)


def test_syntax_error_gives_the_line_number(small):
    source = "Dòng một\nDòng hai\nSố thu {{ f.VU_VIEC.value|so }\n"
    with pytest.raises(RenderError, match=r"^Lỗi cú pháp mẫu ở dòng 3: "):
        render_block(source, small[1])
    assert validate_block(source)[0].startswith("Lỗi cú pháp mẫu ở dòng 3: ")
    assert validate_block("{{ x|khong_co_bo_loc }}")[0].startswith("Lỗi cú pháp mẫu ở dòng 1: ")


def test_validate_block():
    assert validate_block(BUDGET) == []
    assert validate_block("{{ f.THU_NSNN.value|so }}\n{{ f['XYZ'].value }}", codes={"THU_NSNN"}) == [
        'Dòng 2: không có chỉ tiêu "XYZ".'
    ]


def test_output_is_nfc(small):
    decomposed = "Tha\u0300nh pho\u0302\u0301"
    assert render_block(decomposed + " {{ x }}", {"x": decomposed}) == "Thành phố Thành phố"
