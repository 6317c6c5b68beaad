"""The month picker (issue 17, point 4): periods offered with their Decree 09 windows, not typed codes."""

import datetime

from django.template import Context, Template

from baocao.core.period_choices import period_groups, window_label
from baocao.core.periods import Period, PeriodType

JUNE_10 = datetime.date(2020, 6, 10)


def test_labels_show_the_decree_09_window() -> None:
    assert window_label(Period.parse("202006")) == "Tháng 6/2020 (15/5–14/6)"
    assert window_label(Period.parse("2020Q2")) == "Quý II/2020 (15/3–14/6)"
    assert window_label(Period.parse("202001")) == "Tháng 1/2020 (15/12/2019–14/1/2020)"
    assert window_label(Period.parse("2020S1")) == "6 tháng đầu năm 2020 (15/12/2019–14/6/2020)"


def test_months_and_quarters_around_today_newest_first() -> None:
    months, quarters = period_groups([PeriodType.MONTH, PeriodType.QUARTER], today=JUNE_10)
    assert months.label == "Tháng" and quarters.label == "Quý"
    ids = [value for value, _ in months.options]
    assert ids[:3] == ["202007", "202006", "202005"]
    assert len(ids) == 26 and ids[-1] == "201806"
    assert [value for value, _ in quarters.options][:2] == ["2020Q3", "2020Q2"]
    # After the cut-off (the 15th) today's reporting month is the next one.
    later = period_groups([PeriodType.MONTH], today=datetime.date(2020, 6, 20))[0]
    assert later.options[1][0] == "202007"


def test_a_selected_period_outside_the_list_is_kept() -> None:
    groups = period_groups([PeriodType.MONTH], selected="201502", today=JUNE_10)
    assert groups[0].options == [("201502", "Tháng 2/2015 (15/1–14/2)")]
    assert period_groups([PeriodType.MONTH], selected="rác", today=JUNE_10)[0].label == "Tháng"


def test_the_tag_renders_a_select_with_the_current_period_chosen(settings) -> None:
    settings.BAOCAO_TODAY = "2020-06-10"
    html = Template('{% load period_picker %}{% period_picker "period" types="month" current=True %}').render(
        Context()
    )
    assert '<select name="period"' in html
    assert '<option value="202006" selected>Tháng 6/2020 (15/5–14/6)</option>' in html
    chosen = Template('{% load period_picker %}{% period_picker "ky" "2020Q2" %}').render(Context())
    assert '<option value="2020Q2" selected>Quý II/2020 (15/3–14/6)</option>' in chosen
    assert '<optgroup label="Năm">' in chosen
