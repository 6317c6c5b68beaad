"""Estimates, projections and early warnings (issue 19, points 2 and 3; bench/RESULTS.md, "Estimates and
projections: backtest" and "Warnings at province scale").

1. Backtest (no database): ten years of realistic seasonal data generated with a fixed seed — daily
   amounts, so the part of a month up to the cut-off day (the 14th) and the whole month are both known —
   for three indicators with different seasonality: budget revenue (mild seasons, collections bunched
   before the tax deadline inside the month), public investment disbursement (heavily back-loaded over the
   year, the year-end surge varying from year to year) and traffic accidents (a flat count with a Tết
   peak). Every method is the function that ships in baocao.analytics.forecast (or its baseline there):
   month-end estimate by the share of the month of the past three years / of last year only / the
   straight line / last year's month; year-end total by the seasonal profile of the past three years / of
   last year only / the straight line / last year's total. Error: mean absolute percentage error (MAPE)
   over every year with three past years and every month; for the shipped methods also how often the truth
   fell inside the range. Also the demo's history (the ward demo, 2024-2025: one past year).
2. Timing: ``warnings_for`` for a province (1 province, 65 communes, 30 departments; 300 indicators,
   half with a year plan, half judged by direction; 42 months of values) on a throw-away SQLite file
   (or ``DATABASE_URL``): the province's and each member's projections and statuses.

Run: ``.venv/bin/python bench/bench_forecast.py [--backtest-only] [--runs 5]``.
"""

from __future__ import annotations

import argparse
import calendar
import importlib
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

forecast: Any = None  # baocao.analytics.forecast, imported by main() once Django is set up

FIRST_YEAR, YEARS = 2016, 10
CUTOFF_DAY = 14
Daily = dict[tuple[int, int], list[float]]  # (year, month) -> amount of each day


def _revenue(rng: random.Random) -> Daily:
    season = [1.15, 0.85, 1.0, 1.05, 1.0, 1.0, 0.95, 1.0, 1.0, 1.05, 1.05, 1.2]
    out: Daily = {}
    for k in range(YEARS):
        year = FIRST_YEAR + k
        level = 30_000 * 1.07**k * rng.gauss(1, 0.04)
        for month in range(1, 13):
            days = calendar.monthrange(year, month)[1]
            total = level * season[month - 1] * rng.gauss(1, 0.08)
            deadline = 20 + rng.randint(-3, 2)  # collections bunch before the tax deadline
            weights = [
                (3.0 if deadline - 5 <= d <= deadline else 1.0) * rng.uniform(0.6, 1.4)
                for d in range(1, days + 1)
            ]
            scale = total / sum(weights)
            out[(year, month)] = [w * scale for w in weights]
    return out


def _disbursement(rng: random.Random) -> Daily:
    base = [2, 3, 4, 5, 6, 8, 7, 8, 9, 10, 13, 25]
    out: Daily = {}
    for k in range(YEARS):
        year = FIRST_YEAR + k
        shares = [b * rng.lognormvariate(0, 0.2) for b in base]
        shares[11] *= rng.uniform(0.8, 1.3)  # the year-end surge varies
        total = 800_000 * 1.1**k * rng.gauss(1, 0.05)
        for month in range(1, 13):
            days = calendar.monthrange(year, month)[1]
            amount = total * shares[month - 1] / sum(shares)
            weights = [(2.0 if d > days - 5 else 1.0) * rng.uniform(0.3, 1.7) for d in range(1, days + 1)]
            scale = amount / sum(weights)
            out[(year, month)] = [w * scale for w in weights]
    return out


def _accidents(rng: random.Random) -> Daily:
    out: Daily = {}
    for k in range(YEARS):
        year = FIRST_YEAR + k
        for month in range(1, 13):
            days = calendar.monthrange(year, month)[1]
            rate = (16 if month in (1, 2) else 12) * 0.97**k / days
            out[(year, month)] = [float(_poisson(rng, rate)) for _ in range(days)]
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    threshold, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


def _d(x: float) -> Decimal:
    return Decimal(repr(x))


def _mape(errors: list[float]) -> str:
    return f"{statistics.fmean(errors) * 100:.1f}%" if errors else "—"


Method = Callable[..., Decimal | None]


def backtest_month(daily: Daily) -> dict[str, list[float]]:
    errors: dict[str, list[float]] = defaultdict(list)
    inside = []
    for year in range(FIRST_YEAR + 3, FIRST_YEAR + YEARS):
        for month in range(1, 13):
            days = daily[(year, month)]
            part, truth = _d(sum(days[:CUTOFF_DAY])), sum(days)
            if truth == 0:
                continue
            history = [
                (year - k, _d(sum(daily[(year - k, month)][:CUTOFF_DAY])), _d(sum(daily[(year - k, month)])))
                for k in (1, 2, 3)
            ]
            three = forecast.share_of_month_estimate(part, CUTOFF_DAY, history)
            one = forecast.share_of_month_estimate(part, CUTOFF_DAY, history[:1])
            blend = forecast.blended_month_estimate(part, CUTOFF_DAY, history)
            guesses = {
                "tỷ trọng đến ngày 14, 3 năm": three.value
                if isinstance(three, forecast.MonthEstimate)
                else None,
                "kết hợp tỷ trọng và phần còn lại, 3 năm (chọn)": blend.value
                if isinstance(blend, forecast.MonthEstimate)
                else None,
                "tỷ trọng đến ngày 14, năm trước": one.value
                if isinstance(one, forecast.MonthEstimate)
                else None,
                "đường thẳng (phần tháng × số ngày ÷ 14)": forecast.straight_line_month(
                    part, CUTOFF_DAY, year, month
                ),
                "bằng cùng tháng năm trước": forecast.last_year_month(history),
            }
            for name, guess in guesses.items():
                if guess is not None:
                    errors[name].append(abs(float(guess) - truth) / truth)
            if isinstance(blend, forecast.MonthEstimate):
                inside.append(float(blend.low) <= truth <= float(blend.high))
    errors["_inside"] = [float(x) for x in inside]
    return errors


def _ytd(daily: Daily, year: int, month: int) -> float:
    return sum(sum(daily[(year, m)]) for m in range(1, month + 1))


def backtest_year(
    monthly: dict[tuple[int, int], float], first: int, last: int, past: int = 3
) -> dict[str, list[float]]:
    errors: dict[str, list[float]] = defaultdict(list)
    inside = []
    for year in range(first + past, last + 1):
        truth = sum(monthly[(year, m)] for m in range(1, 13))
        for month in range(1, 12):
            ytd = _d(sum(monthly[(year, m)] for m in range(1, month + 1)))
            history = [
                (
                    year - k,
                    _d(sum(monthly[(year - k, m)] for m in range(1, month + 1))),
                    _d(sum(monthly[(year - k, m)] for m in range(1, 13))),
                )
                for k in range(1, past + 1)
            ]
            chosen = forecast.seasonal_projection(
                ytd, month, history, min_years=min(past, forecast.MIN_YEARS)
            )
            one = forecast.seasonal_projection(ytd, month, history[:1], min_years=1)
            blend = forecast.blended_projection(ytd, month, history, min_years=min(past, forecast.MIN_YEARS))
            guesses = {
                f"hồ sơ mùa vụ, {past} năm": chosen.value
                if isinstance(chosen, forecast.Projection)
                else None,
                f"kết hợp hồ sơ mùa vụ và phần còn lại, {past} năm (chọn)": blend.value
                if isinstance(blend, forecast.Projection)
                else None,
                "hồ sơ mùa vụ, năm trước": one.value if isinstance(one, forecast.Projection) else None,
                "đường thẳng (lũy kế × 12 ÷ tháng)": forecast.straight_line_year(ytd, month),
                "bằng cả năm trước": forecast.last_year_total(history),
            }
            half = "T1–6" if month <= 6 else "T7–11"
            for name, guess in guesses.items():
                if guess is not None:
                    error = abs(float(guess) - truth) / truth
                    errors[name].append(error)
                    errors[f"{name}|{half}"].append(error)
            if isinstance(blend, forecast.Projection):
                inside.append(float(blend.low) <= truth <= float(blend.high))
    errors["_inside"] = [float(x) for x in inside]
    return errors


def _table(title: str, errors: dict[str, list[float]], halves: bool) -> None:
    names = [n for n in errors if "|" not in n and not n.startswith("_")]
    print(f"\n{title}")
    if halves:
        print("| phương pháp | MAPE | MAPE T1–6 | MAPE T7–11 | số điểm |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for n in names:
            print(
                f"| {n} | {_mape(errors[n])} | {_mape(errors.get(n + '|T1–6', []))} | "
                f"{_mape(errors.get(n + '|T7–11', []))} | {len(errors[n])} |"
            )
    else:
        print("| phương pháp | MAPE | số điểm |")
        print("| --- | ---: | ---: |")
        for n in names:
            print(f"| {n} | {_mape(errors[n])} | {len(errors[n])} |")
    inside = errors.get("_inside", [])
    if inside:
        print(
            "Giá trị thật nằm trong khoảng dự báo của phương pháp chọn: "
            f"{statistics.fmean(inside) * 100:.0f}% ({len(inside)} điểm)"
        )


def backtest() -> None:
    rng = random.Random(19)
    series = {
        "Thu ngân sách (mùa vụ nhẹ, thu dồn trước hạn nộp thuế)": _revenue(rng),
        "Giải ngân vốn đầu tư công (dồn cuối năm)": _disbursement(rng),
        "Tai nạn giao thông (số vụ, đỉnh Tết)": _accidents(rng),
    }
    print(
        f"Backtest trên {YEARS} năm dữ liệu sinh có hạt giống (random.Random(19)), "
        f"{FIRST_YEAR}–{FIRST_YEAR + YEARS - 1}"
    )
    for name, daily in series.items():
        _table(f"Ước cả tháng từ số đến ngày {CUTOFF_DAY} — {name}", backtest_month(daily), halves=False)
        monthly = {key: sum(days) for key, days in daily.items()}
        _table(
            f"Dự báo cả năm — {name}", backtest_year(monthly, FIRST_YEAR, FIRST_YEAR + YEARS - 1), halves=True
        )


def demo_backtest() -> None:
    """The ward demo's history (January 2024 – November 2026): 2025 projected from 2024's profile (one past
    year: the only year with a known total and a year before it), the ward's predecessors added up."""
    from baocao.demo import reform  # (after django.setup in main: it imports models)

    share = {"TPLS_P_CHILANG": 1.0, "TPLS_P_VINHTRAI": 1.0, "TPLS_X_MAIPHA": 0.35}
    monthly: dict[str, dict[tuple[int, int], float]] = defaultdict(lambda: defaultdict(float))
    for _line, row in reform.ward_values():
        code = row["indicator"]
        if code not in ("PX_THU_NS", "PX_HKD_MOI", "PX_VP_TTDT"):
            continue
        period = row["period"]
        key = (int(period[:4]), int(period[4:]))
        weight = share.get(row["org_unit"], 1.0)
        monthly[code][key] += float(Decimal(row["value"].replace(".", "").replace(",", "."))) * weight
    print("\nLịch sử của demo phường Lương Văn Tri (2025 dự báo từ hồ sơ 2024: một năm trước)")
    for code, values in monthly.items():
        _table(f"Dự báo cả năm 2025 — {code}", backtest_year(values, 2024, 2025, past=1), halves=True)


_INSERT_VALUE = (
    "INSERT INTO collection_datavalue (indicator_id, org_unit_id, period, kind, value, comment, created_at, "
    "updated_at, version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


_COPY_VALUE = (
    "COPY collection_datavalue (indicator_id, org_unit_id, period, kind, value, comment, created_at, "
    "updated_at, version) FROM STDIN"
)


def timing(runs: int, n_indicators: int = 300, profile: bool = False) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction

    from baocao.analytics.warnings import Status, rank_units, warnings_for
    from baocao.indicators.models import Indicator, Sector, TargetType, UnitOfMeasure
    from baocao.orgunits.models import OrgUnit

    call_command("migrate", verbosity=0)
    import datetime

    since = datetime.date(2000, 1, 1)
    rng = random.Random(23)
    start = time.perf_counter()
    with transaction.atomic():
        root = OrgUnit.objects.create(code="ROOT", name="Tỉnh Thử", type="province", valid_from=since)
        units = []
        for n in range(65):
            units.append(
                OrgUnit.objects.create(
                    code=f"X{n:04d}", name=f"Xã {n}", type="commune", parent=root, valid_from=since
                )
            )
        for n in range(30):
            units.append(
                OrgUnit.objects.create(
                    code=f"S{n:02d}", name=f"Sở {n}", type="department", parent=root, valid_from=since
                )
            )
        sector = Sector.objects.create(code="KT", name="Kinh tế")
        count = UnitOfMeasure.objects.create(code="vu", name="vụ", dimension="count", whole_numbers=True)
        money = UnitOfMeasure.objects.create(
            code="trieu", name="triệu đồng", dimension="money", factor=Decimal(10**6)
        )
        indicators = Indicator.objects.bulk_create(
            Indicator(
                code=f"I{n:03d}",
                name=f"Chỉ tiêu {n}",
                sector=sector,
                unit=count if n % 2 else money,
                value_type="integer" if n % 2 else "decimal",
                direction="down" if n % 2 else "up",
                sort_order=n,
            )
            for n in range(n_indicators)
        )
        plan = TargetType.objects.create(code="KH_NAM", name="kế hoạch năm")
        months = [f"{y}{m:02d}" for y in range(2017, 2020) for m in range(1, 13)] + [
            f"2020{m:02d}" for m in range(1, 7)
        ]
        now = "2026-01-01 00:00:00"
        with connection.cursor() as cursor:
            rows = []
            for unit in units:
                for indicator in indicators:
                    base = rng.randrange(10, 1000)
                    for month in months:
                        season = 2.0 if month.endswith("12") else 1.0
                        rows.append(
                            (
                                indicator.pk,
                                unit.pk,
                                month,
                                "actual",
                                int(base * season * rng.uniform(0.7, 1.3)),
                                "",
                                now,
                                now,
                                1,
                            )
                        )
                    if len(rows) > 200_000 and connection.vendor == "postgresql":
                        with cursor.copy(_COPY_VALUE) as copy:
                            for row in rows:
                                copy.write_row(row)
                        rows = []
                    elif len(rows) > 200_000:
                        cursor.executemany(
                            _INSERT_VALUE,
                            rows,
                        )
                        rows = []
            if rows and connection.vendor == "postgresql":
                with cursor.copy(_COPY_VALUE) as copy:
                    for row in rows:
                        copy.write_row(row)
            elif rows:
                cursor.executemany(
                    _INSERT_VALUE,
                    rows,
                )
            targets = [
                (indicator.pk, unit.pk, "2020", plan.pk, rng.randrange(10_000, 20_000), "", now)
                for unit in [root, *units]
                for indicator in indicators[::2]
            ]
            cursor.executemany(
                "INSERT INTO indicators_target (indicator_id, org_unit_id, period, target_type_id, value, "
                "note, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                targets,
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    User.objects.create_superuser("bench", password="x")
    admin = User.objects.get(username="bench")
    print(
        f"\nDữ liệu: {len(units) + 1} đơn vị, {len(indicators)} chỉ tiêu, {len(months)} tháng, "
        f"{len(units) * len(indicators) * len(months):,} số liệu ({connection.vendor}); sinh trong "
        f"{time.perf_counter() - start:.0f} s"
    )
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        warnings_for(admin, "ROOT", "202006")
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    times, result = [], []
    for _ in range(runs):
        t = time.perf_counter()
        result = warnings_for(admin, "ROOT", "202006")
        ranking = rank_units(result)
        times.append(time.perf_counter() - t)
    counts = {s: sum(1 for w in result if w.status == s) for s in Status}
    print(
        f"warnings_for(tỉnh + {len(units)} đơn vị thành viên, {len(indicators)} chỉ tiêu, 202006) "
        "+ rank_units: "
        f"trung vị {statistics.median(times) * 1000:.0f} ms, nhanh nhất {min(times) * 1000:.0f} ms, "
        f"chậm nhất {max(times) * 1000:.0f} ms ({runs} lần); {len(result)} cảnh báo {counts}; "
        f"{len(ranking)} đơn vị xếp hạng"
    )
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        warnings_for(admin, "ROOT", "202006", members=False)
        times.append(time.perf_counter() - t)
    median = statistics.median(times) * 1000
    print(f"warnings_for(chỉ tỉnh, {len(indicators)} chỉ tiêu): trung vị {median:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backtest-only", action="store_true")
    parser.add_argument("--timing-only", action="store_true")
    parser.add_argument("--indicators", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one warnings_for call")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):  # a throw-away SQLite file, never the project's database
        os.environ["SQLITE_PATH"] = str(
            Path(tempfile.mkdtemp(prefix="baocao-bench-forecast-")) / "db.sqlite3"
        )
    import django

    django.setup()
    global forecast
    forecast = importlib.import_module("baocao.analytics.forecast")
    if not args.timing_only:
        backtest()
        demo_backtest()
    if not args.backtest_only:
        timing(args.runs, args.indicators, args.profile)


if __name__ == "__main__":
    main()
