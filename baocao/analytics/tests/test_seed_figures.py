"""Every comparison of the seed report (UBND thành phố Lạng Sơn, June 2020) comes out of the
figures layer from the demo's stored values and targets, formatted as the seed writes it.

The expected strings are the seed's text; nothing here feeds them to the code."""

from decimal import Decimal

import pytest

from baocao.analytics.figures import get_figures
from baocao.collection.models import DataValue
from baocao.core.numbers import change_phrase, format_count, format_number, format_percent, ratio_phrase
from baocao.testing.factories import computed_from_demo


@pytest.fixture(scope="module")
def june(django_db_setup, django_db_blocker):
    """The figures of June 2020, computed once from the demo (rolled back afterwards)."""
    return computed_from_demo(django_db_blocker, lambda: get_figures(["TPLS"], "202006"))


def count(figures, code, kind="actual"):
    return format_count(figures.value(code, kind))


def number(figures, code, kind="actual", decimals=None):
    return format_number(figures.value(code, kind), decimals)


def with_unit(figures, code, kind="actual", decimals=None):
    figure = figures.get(code, kind)
    return f"{format_number(figure.value, decimals)} {figure.indicator.unit.name}"


SEED = [
    # 1. Kinh tế — budget revenue against plans and last year
    ("bán lẻ ước đạt", lambda f: with_unit(f, "BAN_LE_DV", "estimate"), "385 tỷ đồng"),
    ("số thu trong tháng", lambda f: with_unit(f, "THU_NSNN"), "9.050 triệu đồng"),
    ("đạt % dự toán tháng", lambda f: format_percent(f.get("THU_NSNN").target("DT_THANG").ratio), "22,6%"),
    (
        "đạt % dự toán tỉnh giao",
        lambda f: format_percent(f.get("THU_NSNN").target("DT_TINH").ytd_ratio),
        "41,3%",
    ),
    ("đạt % dự toán TP giao", lambda f: format_percent(f.get("THU_NSNN").target("DT_TP").ytd_ratio), "39,3%"),
    (
        "so với cùng kỳ",
        lambda f: ratio_phrase(f.get("THU_NSNN").ratio_to_last_year),
        "đạt 79,1% so với cùng kỳ",
    ),
    ("ước thực hiện tháng", lambda f: with_unit(f, "THU_NSNN", "estimate"), "27.644 triệu đồng"),
    (
        "ước: % dự toán tháng",
        lambda f: format_percent(f.get("THU_NSNN", "estimate").target("DT_THANG").ratio),
        "69,1%",
    ),
    (
        "ước: % dự toán tỉnh",
        lambda f: format_percent(f.get("THU_NSNN", "estimate").target("DT_TINH").ytd_ratio),
        "45,7%",
    ),
    (
        "ước: % dự toán TP",
        lambda f: format_percent(f.get("THU_NSNN", "estimate").target("DT_TP").ytd_ratio),
        "43,5%",
    ),
    ("ước: cùng kỳ", lambda f: format_percent(f.get("THU_NSNN", "estimate").ratio_to_last_year), "87,6%"),
    ("chi ngân sách", lambda f: with_unit(f, "CHI_NSNN"), "24.169 triệu đồng"),
    ("chi lũy kế", lambda f: number(f, "CHI_NSNN", "cumulative"), "223.489"),
    ("kiểm tra vụ", lambda f: count(f, "QLTT_KIEM_TRA"), "41"),
    ("trong đó vi phạm", lambda f: count(f, "QLTT_VI_PHAM"), "40"),
    ("xử phạt VPHC", lambda f: with_unit(f, "QLTT_TIEN_PHAT"), "105,2 triệu đồng"),
    ("tịch thu", lambda f: number(f, "QLTT_TICH_THU"), "63,1"),
    ("tổng thu QLTT", lambda f: with_unit(f, "QLTT_TONG_THU"), "179,3 triệu đồng"),
    # 2.1 Quản lý đô thị
    ("giấy phép xây dựng", lambda f: count(f, "GPXD_CAP"), "76"),
    ("kiểm tra công trình", lambda f: count(f, "CTXD_KIEM_TRA"), "81"),
    ("trong đó có GPXD", lambda f: count(f, "CTXD_KIEM_TRA_CO_GP"), "54"),
    ("trong đó miễn GPXD", lambda f: count(f, "CTXD_KIEM_TRA_MIEN_GP"), "27"),
    ("sai nội dung GPXD", lambda f: count(f, "CTXD_SAI_GP"), "07"),
    ("QĐ cưỡng chế", lambda f: count(f, "XD_QD_CUONG_CHE"), "03"),
    ("nộp tiền XPVPHC", lambda f: count(f, "XPXD_NOP_TH"), "08"),
    ("thuê nhà", lambda f: with_unit(f, "NHA_THUE_TIEN"), "202,8 triệu đồng"),
    ("VSMT", lambda f: with_unit(f, "VSMT_TIEN"), "132,6 triệu đồng"),
    # 2.2 Đầu tư xây dựng cơ bản
    (
        "kế hoạch vốn",
        lambda f: format_number(f.get("XDCB_KHOI_LUONG", "estimate").target("KH_VON").value),
        "113.879",
    ),
    ("khối lượng", lambda f: with_unit(f, "XDCB_KHOI_LUONG", "estimate"), "27.462 triệu đồng"),
    (
        "khối lượng / kế hoạch vốn",
        lambda f: format_percent(f.get("XDCB_KHOI_LUONG", "estimate").target("KH_VON").ratio, 0),
        "24%",
    ),
    ("giải ngân", lambda f: number(f, "XDCB_GIAI_NGAN", "estimate"), "28.718"),
    (
        "giải ngân / kế hoạch vốn",
        lambda f: format_percent(f.get("XDCB_GIAI_NGAN", "estimate").target("KH_VON").ratio, 0),
        "25%",
    ),
    (
        "giải ngân / khối lượng",
        lambda f: format_percent(f.ratio("XDCB_GIAI_NGAN", "XDCB_KHOI_LUONG", "estimate"), 0),
        "105%",
    ),
    ("danh mục dự án", lambda f: count(f, "XDCB_DANH_MUC"), "46"),
    ("khởi công", lambda f: count(f, "XDCB_KHOI_CONG"), "02"),
    ("thi công", lambda f: count(f, "XDCB_THI_CONG"), "11"),
    ("chuyển tiếp", lambda f: count(f, "XDCB_THI_CONG_CHUYEN_TIEP"), "07"),
    ("khởi công mới", lambda f: count(f, "XDCB_THI_CONG_MOI"), "04"),
    # 3. Tài nguyên và Môi trường, GPMB
    ("GCN diện tích", lambda f: number(f, "GCN_CAP_DIEN_TICH"), "879,1"),
    ("GCN thửa", lambda f: count(f, "GCN_CAP_THUA"), "09"),
    ("GCN chuyển mục đích", lambda f: number(f, "GCN_CMD_DIEN_TICH"), "632,9"),
    ("thông báo thu hồi", lambda f: count(f, "TB_THU_HOI"), "36"),
    ("phương án bồi thường (TNMT)", lambda f: number(f, "BT_PA_TIEN"), "5.832.661.500"),
    ("phương án bồi thường (PTQĐ)", lambda f: number(f, "GPMB_PA_TIEN"), "5.820.661.500"),
    ("xử phạt đất đai", lambda f: with_unit(f, "XPDD_TIEN"), "9.000.000 đồng"),
    ("kiểm đếm diện tích", lambda f: number(f, "GPMB_KIEM_DEM_DIEN_TICH", decimals=1), "53.765,0"),
    ("chi trả", lambda f: with_unit(f, "GPMB_CHI_TRA_TIEN"), "4.149.792.761 đồng"),
    ("thực lĩnh", lambda f: number(f, "GPMB_CHI_TRA_THUC_LINH"), "3.313.903.361"),
    ("nộp ngân sách", lambda f: number(f, "GPMB_CHI_TRA_NOP_NS"), "835.889.400"),
    ("bàn giao mặt bằng", lambda f: number(f, "GPMB_BAN_GIAO_DIEN_TICH", decimals=1), "2.337,0"),
    # 4. Văn hóa - xã hội
    ("cứu trợ nhân đạo", lambda f: number(f, "CUU_TRO_NHAN_DAO"), "125.118.000"),
    # 5. Quốc phòng - an ninh
    ("phạm pháp hình sự", lambda f: count(f, "HS_VU"), "07"),
    (
        "so với tháng trước",
        lambda f: change_phrase(f.value("HS_VU"), f.get("HS_VU").previous, "vụ"),
        "tăng 03 vụ so với tháng trước",
    ),
    ("làm chết", lambda f: count(f, "HS_CHET"), "01"),
    ("thiệt hại", lambda f: number(f, "HS_THIET_HAI"), "28.000.000"),
    ("heroin", lambda f: with_unit(f, "MT_HEROIN"), "1,593 gam"),
    ("ma túy tổng hợp", lambda f: with_unit(f, "MT_MA_TUY_TH"), "38,161 gam"),
    ("viên nén", lambda f: count(f, "MT_VIEN_NEN"), "92"),
    ("lượt tuần tra", lambda f: number(f, "TTKS_LUOT"), "1.425"),
    ("vi phạm giao thông", lambda f: count(f, "TTKS_VI_PHAM_GT"), "908"),
    # 6. Nội vụ, Thanh tra, Tư pháp
    ("đơn tiếp nhận", lambda f: count(f, "DON_TIEP_NHAN"), "42"),
    ("đơn đề nghị", lambda f: count(f, "DON_DE_NGHI"), "35"),
    ("đơn khiếu nại", lambda f: count(f, "DON_KHIEU_NAI"), "07"),
    ("bản sao", lambda f: count(f, "CT_BAN_SAO"), "298"),
]


def test_the_seed_lists_at_least_forty_figures():
    assert len(SEED) >= 40


@pytest.mark.parametrize("label, compute, expected", SEED, ids=[s[0] for s in SEED])
def test_seed_figure(june, label, compute, expected):
    assert compute(june) == expected


def test_next_month_plans_come_from_targets(demo):
    july = get_figures(["TPLS"], "202007", ["XDCB_KHOI_CONG", "XDCB_THAM_DINH"])
    assert format_count(july.get("XDCB_KHOI_CONG").target("KH_THANG_TOI").value) == "05"
    assert format_count(july.get("XDCB_THAM_DINH").target("KH_THANG_TOI").value) == "10"


def test_a_corrected_value_changes_every_derived_figure(demo):
    DataValue.objects.filter(indicator__code="THU_NSNN", period="202006", kind="actual").update(
        value=Decimal(10_000)
    )
    figures = get_figures(["TPLS"], "202006", ["THU_NSNN"])
    thu = figures.get("THU_NSNN")
    assert format_percent(thu.target("DT_THANG").ratio) == "25,0%"
    assert format_percent(thu.target("DT_TINH").ytd_ratio) == "41,5%"
    assert format_percent(thu.ratio_to_last_year) == "87,4%"
