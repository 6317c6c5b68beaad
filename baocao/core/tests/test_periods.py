from __future__ import annotations

import datetime
import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baocao.core.periods import Period, PeriodError, PeriodType, parse_period

ONE_DAY = datetime.timedelta(days=1)

# Years far enough from 1900/9999 that shifting by up to ±_MAX_SHIFT steps (≤ years) stays valid.
_MAX_SHIFT = 50
years = st.integers(min_value=1900 + _MAX_SHIFT, max_value=9999 - _MAX_SHIFT)
period_types = st.sampled_from(list(PeriodType))
shifts = st.integers(-_MAX_SHIFT // 2, _MAX_SHIFT // 2)


@st.composite
def periods(draw: st.DrawFn, types: st.SearchStrategy[PeriodType] = period_types) -> Period:
    type_ = draw(types)
    return Period(type_, draw(years), draw(st.integers(1, type_.periods_per_year)))


def assert_tiles(parts: tuple[Period, ...], whole: Period) -> None:
    """The parts' reporting and calendar windows are contiguous and exactly cover ``whole``'s."""
    for attr in ("reporting_window", "calendar_window"):
        windows = [getattr(p, attr) for p in parts]
        assert windows[0][0] == getattr(whole, attr)[0]
        assert windows[-1][1] == getattr(whole, attr)[1]
        for (_, end), (start, _) in itertools.pairwise(windows):
            assert end + ONE_DAY == start


# ------------------------------------------------------------------------ examples


def test_decree_09_windows() -> None:
    assert Period.month(2020, 6).reporting_window == (date(2020, 5, 15), date(2020, 6, 14))
    assert Period.month(2020, 1).reporting_window == (date(2019, 12, 15), date(2020, 1, 14))
    assert Period.quarter(2020, 1).reporting_window == (date(2019, 12, 15), date(2020, 3, 14))
    assert Period.quarter(2020, 4).reporting_window == (date(2020, 9, 15), date(2020, 12, 14))
    assert Period.half_year(2020, 1).reporting_window == (date(2019, 12, 15), date(2020, 6, 14))
    assert Period.half_year(2020, 2).reporting_window == (date(2020, 6, 15), date(2020, 12, 14))
    assert Period.nine_months(2020).reporting_window == (date(2019, 12, 15), date(2020, 9, 14))
    assert Period.year_of(2020).reporting_window == (date(2019, 12, 15), date(2020, 12, 14))
    assert Period.month(2020, 6).cutoff_date == date(2020, 6, 14)


def test_calendar_windows() -> None:
    assert Period.month(2020, 2).calendar_window == (date(2020, 2, 1), date(2020, 2, 29))
    assert Period.quarter(2020, 2).calendar_window == (date(2020, 4, 1), date(2020, 6, 30))
    assert Period.half_year(2020, 2).calendar_window == (date(2020, 7, 1), date(2020, 12, 31))
    assert Period.nine_months(2020).calendar_window == (date(2020, 1, 1), date(2020, 9, 30))
    assert Period.year_of(2020).calendar_window == (date(2020, 1, 1), date(2020, 12, 31))


@pytest.mark.parametrize(
    ("period_id", "label", "expected"),
    [
        ("202006", "tháng 6/2020", Period(PeriodType.MONTH, 2020, 6)),
        ("2020Q2", "quý II/2020", Period(PeriodType.QUARTER, 2020, 2)),
        ("2020Q4", "quý IV/2020", Period(PeriodType.QUARTER, 2020, 4)),
        ("2020S1", "6 tháng đầu năm 2020", Period(PeriodType.HALF_YEAR, 2020, 1)),
        ("2020S2", "6 tháng cuối năm 2020", Period(PeriodType.HALF_YEAR, 2020, 2)),
        ("2020N9", "9 tháng năm 2020", Period(PeriodType.NINE_MONTHS, 2020, 1)),
        ("2020", "năm 2020", Period(PeriodType.YEAR, 2020, 1)),
    ],
)
def test_ids_and_labels(period_id: str, label: str, expected: Period) -> None:
    period = Period.parse(period_id)
    assert period == expected
    assert period.id == str(period) == period_id
    assert period.label == label
    assert parse_period(f"  {period_id.lower()}\n") == expected


def test_type_labels() -> None:
    assert [t.label for t in PeriodType] == ["Tháng", "Quý", "6 tháng", "9 tháng", "Năm"]


@pytest.mark.parametrize(
    "bad_id",
    ["", "   ", "2020-06", "202013", "202000", "2020Q0", "2020Q5", "2020S0", "2020S3", "20", "abcd",
     "2020N8", "2020N", "2020Q", "20206", "2020061", "1899", "0000", "2020 Q2", "２０２０"],
)  # fmt: skip
def test_malformed_ids_raise(bad_id: str) -> None:
    with pytest.raises(PeriodError, match="không hợp lệ") as excinfo:
        Period.parse(bad_id)
    assert f'"{bad_id}"' in str(excinfo.value)
    assert "YYYYQn" in str(excinfo.value)  # lists the accepted forms


@pytest.mark.parametrize(("year", "index"), [(2020, 0), (2020, 13), (1899, 1), (10000, 1)])
def test_constructor_validates(year: int, index: int) -> None:
    with pytest.raises(PeriodError, match="không hợp lệ"):
        Period.month(year, index)


def test_other_invalid_periods() -> None:
    for args in [
        (PeriodType.YEAR, 2020, 2),
        (PeriodType.NINE_MONTHS, 2020, 9),
        (PeriodType.QUARTER, 2020, 5),
    ]:
        with pytest.raises(PeriodError, match="không hợp lệ"):
            Period(*args)
    with pytest.raises(PeriodError):
        Period.year_of(9999).next()
    with pytest.raises(PeriodError):
        Period.month(1900, 1).previous()
    with pytest.raises(PeriodError):
        Period.containing(PeriodType.MONTH, date(9999, 12, 15))


def test_arithmetic_examples() -> None:
    assert Period.parse("202001").previous() == Period.parse("201912")
    assert Period.parse("2020Q1").previous() == Period.parse("2019Q4")
    assert Period.parse("2020S1").previous() == Period.parse("2019S2")
    assert Period.parse("2020N9").previous() == Period.parse("2019N9")
    assert Period.parse("2020").previous() == Period.parse("2019")
    assert Period.parse("202011").shift(14) == Period.parse("202201")
    assert [p.id for p in Period.parse("2020Q3").year_to_date()] == ["2020Q1", "2020Q2", "2020Q3"]
    assert Period.parse("202006").year_to_date_window == (date(2019, 12, 15), date(2020, 6, 14))
    assert [p.id for p in Period.parse("2020Q2").months()] == ["202004", "202005", "202006"]
    assert Period.parse("2020N9").months()[-1].id == "202009"
    assert Period.parse("2020N9").year_to_date() == (Period.nine_months(2020),)
    assert Period.parse("2020N9").contains(Period.parse("2020Q3"))
    assert not Period.parse("2020N9").contains(Period.parse("2020Q4"))
    assert Period.parse("201912") < Period.parse("202001") < Period.parse("202002")


def test_containing_examples() -> None:
    assert Period.containing(PeriodType.MONTH, date(2019, 12, 20)).id == "202001"
    assert Period.containing(PeriodType.YEAR, date(2019, 12, 20)).id == "2020"
    assert Period.containing(PeriodType.MONTH, date(2020, 6, 14)).id == "202006"
    assert Period.containing(PeriodType.MONTH, date(2020, 6, 15)).id == "202007"
    assert Period.containing(PeriodType.QUARTER, date(2020, 3, 15)).id == "2020Q2"
    assert Period.containing(PeriodType.HALF_YEAR, date(2020, 6, 15)).id == "2020S2"
    assert Period.containing(PeriodType.NINE_MONTHS, date(2019, 12, 15)).id == "2020N9"
    assert Period.containing(PeriodType.NINE_MONTHS, date(2020, 9, 14)).id == "2020N9"
    for day in (date(2020, 9, 15), date(2020, 12, 14)):
        with pytest.raises(PeriodError, match="9 tháng"):
            Period.containing(PeriodType.NINE_MONTHS, day)


# ------------------------------------------------------------------------ properties


@given(periods())
def test_id_round_trip(p: Period) -> None:
    assert Period.parse(p.id) == p
    assert Period.parse(p.id.lower()) == p
    assert str(p) == p.id


@given(periods())
def test_previous_next_inverse_and_ordered(p: Period) -> None:
    assert p.previous().next() == p
    assert p.next().previous() == p
    assert p.previous() < p < p.next()


@given(
    periods(), st.integers(-_MAX_SHIFT // 2, _MAX_SHIFT // 2), st.integers(-_MAX_SHIFT // 2, _MAX_SHIFT // 2)
)
def test_shift_composes(p: Period, a: int, b: int) -> None:
    assert p.shift(a).shift(b) == p.shift(a + b)
    assert p.shift(0) == p
    assert p.shift(1) == p.next()
    assert p.shift(-1) == p.previous()
    assert p.shift(a).type == p.type


@given(
    periods(st.sampled_from([PeriodType.MONTH, PeriodType.QUARTER, PeriodType.HALF_YEAR, PeriodType.YEAR]))
)
def test_consecutive_windows_are_contiguous(p: Period) -> None:
    assert p.reporting_window[1] + ONE_DAY == p.next().reporting_window[0]
    assert p.calendar_window[1] + ONE_DAY == p.next().calendar_window[0]
    assert p.reporting_window[0] <= p.reporting_window[1]


@given(years)
def test_nine_months_consecutive_windows_do_not_overlap(year: int) -> None:
    p = Period.nine_months(year)
    assert p.reporting_window[1] < p.next().reporting_window[0]
    assert not p.contains(p.next())


@given(periods())
def test_months_tile_the_period(p: Period) -> None:
    months = p.months()
    assert len(months) == {"month": 1, "quarter": 3, "half_year": 6, "nine_months": 9, "year": 12}[p.type]
    assert all(m.type is PeriodType.MONTH and m.year == p.year for m in months)
    assert_tiles(months, p)
    assert all(p.contains(m) for m in months)
    assert not p.contains(months[0].previous())
    assert not p.contains(months[-1].next())


@given(years)
def test_coarser_periods_tile_the_year(year: int) -> None:
    whole = Period.year_of(year)
    assert_tiles(tuple(Period.quarter(year, q) for q in range(1, 5)), whole)
    assert_tiles((Period.half_year(year, 1), Period.half_year(year, 2)), whole)
    assert_tiles(tuple(Period.quarter(year, q) for q in range(1, 4)), Period.nine_months(year))
    assert_tiles((Period.half_year(year, 1), Period.quarter(year, 3)), Period.nine_months(year))


@given(periods())
def test_same_period_last_year(p: Period) -> None:
    last = p.same_period_last_year()
    assert (last.type, last.year, last.index) == (p.type, p.year - 1, p.index)
    for mine, theirs in zip(p.reporting_window, last.reporting_window, strict=True):
        assert theirs == mine.replace(year=mine.year - 1)
    assert last == p.shift(-p.type.periods_per_year)


@given(periods())
def test_year_to_date(p: Period) -> None:
    ytd = p.year_to_date()
    assert ytd[-1] == p
    assert len(ytd) == p.index
    assert all(q.type == p.type and q.year == p.year for q in ytd)
    assert all(a.next() == b for a, b in itertools.pairwise(ytd))
    assert p.year_to_date_window == (ytd[0].reporting_window[0], p.cutoff_date)
    assert p.year_to_date_window[0] == p.year_period().reporting_window[0] == date(p.year - 1, 12, 15)
    assert p.year_period().contains(p)


@given(period_types, st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 14)))
def test_containing_contains_the_day(type_: PeriodType, day: date) -> None:
    try:
        p = Period.containing(type_, day)
    except PeriodError:
        assert type_ is PeriodType.NINE_MONTHS
        assert (day.month, day.day) >= (9, 15) and (day.month, day.day) <= (12, 14)
        return
    assert p.type is type_
    start, end = p.reporting_window
    assert start <= day <= end


@given(periods())
def test_containing_window_edges(p: Period) -> None:
    start, end = p.reporting_window
    assert Period.containing(p.type, start) == p
    assert Period.containing(p.type, end) == p


@given(periods())
def test_calendar_window_shape(p: Period) -> None:
    cal_start, cal_end = p.calendar_window
    rep_start, rep_end = p.reporting_window
    assert cal_start.day == 1 and (cal_end + ONE_DAY).day == 1
    assert cal_start <= rep_end <= cal_end  # the cut-off falls inside the calendar period
    assert rep_start < cal_start  # reporting starts on the 15th of the month before
    assert p.cutoff_date == rep_end and rep_end.day == 14 and rep_start.day == 15


@pytest.mark.parametrize("text", ["190001", "1900", "1900Q1", "1900S1", "1900N9", "999912", "9999", "9999Q4"])
def test_a_period_without_neighbours_is_refused_when_parsed(text):
    """Every page compares a period with the previous one, last year's and the next one; a user's period of
    1900 or 9999 has some of them out of range (a 500 on the figures, quality, entry and narrative pages)."""
    with pytest.raises(PeriodError, match="1901–9998"):
        Period.parse(text)


@pytest.mark.parametrize("text", ["190101", "1901", "999812", "9998"])
def test_every_parsed_period_has_its_neighbours(text):
    period = Period.parse(text)
    assert period.previous() and period.same_period_last_year() and period.next()
    assert period.year_to_date_window


def test_a_long_period_in_an_address_is_not_echoed_whole() -> None:
    """The dashboard and explorer put this message on the page: 5.000 characters typed into ?period=
    came back whole (twice on the explorer)."""
    with pytest.raises(PeriodError) as refused:
        Period.parse("9" * 5000)
    message = str(refused.value)
    assert 'Mã kỳ báo cáo "99999999999999999999…" không hợp lệ' in message and len(message) < 300
