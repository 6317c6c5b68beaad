"""Province- and national-scale benchmarks on PostgreSQL, each printed next to a baseline measured in the
same run (bench/RESULTS.md):

a. bulk import of 1 million values through the API path (WSGI handler → DataValueSetView → collection.bulk,
   CSV streamed from a file) against a raw COPY of the same rows into collection_datavalue; peak RSS of the
   importing process;
b. the figures layer (get_figures) for one unit's report and for a province roll-up, against one
   hand-written SQL query returning the same numbers (checked equal);
c. data-entry saves (POST /api/v1/data-values/ with optimistic versions) by 50 and 200 clients of
   bench/loadgen.py (asyncio, keep-alive) against gunicorn on loopback: p50, p95, errors, a lost-update
   check, and the load generator's own CPU.

Run: ``make bench`` (province) / ``make bench-national``; or
``bench/with_postgres.sh .venv/bin/python bench/bench_scale.py --scale province``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
# Measured as served: DEBUG off (no query log), with a throw-away key for this run.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))


@dataclass(frozen=True)
class Scale:
    name: str
    communes: int
    agencies: int
    indicators: int
    years: int
    provinces: int = 1


SCALES = {
    "province": Scale("province", communes=65, agencies=30, indicators=300, years=10),
    "national": Scale("national", communes=3321, agencies=0, indicators=100, years=5, provinces=34),
}
FIRST_YEAR = 2016
IMPORT_ROWS = 1_000_000


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Cần PostgreSQL: chạy qua bench/with_postgres.sh hoặc đặt DATABASE_URL=postgres://...")
    import django

    django.setup()


def median(func, runs: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# ------------------------------------------------------------------------------------------- generator


def generate(scale: Scale) -> dict[str, object]:
    """Synthetic reference data and monthly values of every indicator, unit and month (COPY)."""
    import datetime

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from baocao.accounts.models import Role, RoleAssignment
    from baocao.indicators.models import Indicator, Sector, TargetType, UnitOfMeasure
    from baocao.orgunits.models import OrgUnit

    call_command("migrate", verbosity=0)
    if OrgUnit.objects.exists():
        sys.exit("Cơ sở dữ liệu đã có dữ liệu: benchmark cần một cơ sở dữ liệu PostgreSQL trống.")
    start = time.perf_counter()
    since = datetime.date(2000, 1, 1)
    root = OrgUnit.objects.create(
        code="ROOT", name="Cả nước" if scale.provinces > 1 else "Tỉnh Thử", type="province", valid_from=since
    )
    parents = [root]
    if scale.provinces > 1:
        parents = [
            OrgUnit.objects.create(
                code=f"P{p:02d}", name=f"Tỉnh {p}", type="province", parent=root, valid_from=since
            )
            for p in range(scale.provinces)
        ]
    leaves = []
    for n in range(scale.communes):
        parent = parents[n % len(parents)]
        unit = OrgUnit(code=f"X{n:04d}", name=f"Xã {n}", type="commune", parent=parent, valid_from=since)
        unit.save()
        leaves.append(unit)
    for n in range(scale.agencies):
        unit = OrgUnit(code=f"S{n:02d}", name=f"Sở {n}", type="department", parent=root, valid_from=since)
        unit.save()
        leaves.append(unit)
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
            sort_order=n,
        )
        for n in range(scale.indicators)
    )
    plan = TargetType.objects.create(code="KH_NAM", name="kế hoạch năm")
    months = [f"{y}{m:02d}" for y in range(FIRST_YEAR, FIRST_YEAR + scale.years) for m in range(1, 13)]
    rng = random.Random(7)
    now = "2026-01-01 00:00:00+00"
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY collection_datavalue (indicator_id, org_unit_id, period, kind, value, comment, created_at, "
            "updated_at, version) FROM STDIN"
        ) as copy:
            for unit in leaves:
                for indicator in indicators:
                    for month in months:
                        value = (
                            rng.randrange(1, 10_000)
                            if indicator.value_type == "integer"
                            else Decimal(rng.randrange(1, 10**7)) / 10
                        )
                        copy.write_row((indicator.pk, unit.pk, month, "actual", value, "", now, now, 1))
        with cursor.copy(
            "COPY indicators_target (indicator_id, org_unit_id, period, target_type_id, value, note, "
            "updated_at) FROM STDIN"
        ) as copy:
            for unit in leaves:
                for indicator in indicators:
                    for year in range(FIRST_YEAR, FIRST_YEAR + scale.years):
                        copy.write_row(
                            (
                                indicator.pk,
                                unit.pk,
                                str(year),
                                plan.pk,
                                rng.randrange(10_000, 90_000),
                                "",
                                now,
                            )
                        )
        cursor.execute("ANALYZE")
    tokens = []
    for unit in leaves[: min(len(leaves), 200)]:
        user = User.objects.create_user(f"u_{unit.code}")
        RoleAssignment.objects.create(user=user, role=Role.UNIT_STAFF, org_unit=unit)
        tokens.append({"token": Token.objects.create(user=user).key, "org_unit": unit.code})
    User.objects.create_superuser("bench", password="x")
    return {
        "seconds": time.perf_counter() - start,
        "values": len(leaves) * len(indicators) * len(months),
        "units": len(leaves),
        "tokens": tokens,
        "indicators": [i.code for i in indicators],
    }


def existing() -> dict[str, object]:
    """What generate() made, read back from the database (--reuse)."""
    from rest_framework.authtoken.models import Token

    from baocao.collection.models import DataValue
    from baocao.indicators.models import Indicator

    tokens = [
        {"token": t.key, "org_unit": t.user.username.removeprefix("u_")}
        for t in Token.objects.filter(user__username__startswith="u_")
        .select_related("user")
        .order_by("user__username")
    ]
    return {
        "seconds": 0.0,
        "values": DataValue.objects.count(),
        "units": len(tokens),
        "tokens": tokens,
        "indicators": list(Indicator.objects.order_by("code").values_list("code", flat=True)),
    }


# ------------------------------------------------------------------------------------ (a) bulk import


def write_import_file(path: Path, units: list[str], indicators: list[str]) -> int:
    """1 million estimate values (new keys) in the CSV layout, Vietnamese notation."""
    from baocao.core.numbers import format_number

    rng = random.Random(11)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["indicator", "org_unit", "period", "kind", "value", "comment"])
        year, month = FIRST_YEAR, 1
        while rows < IMPORT_ROWS:
            period = f"{year}{month:02d}"
            for unit in units:
                for code in indicators:
                    value = (
                        Decimal(rng.randrange(1, 10**6))
                        if int(code[1:]) % 2
                        else Decimal(rng.randrange(1, 10**7)) / 10
                    )
                    writer.writerow([code, unit, period, "estimate", format_number(value), ""])
                    rows += 1
                    if rows == IMPORT_ROWS:
                        return rows
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


API_IMPORT = r"""
import io, json, os, resource, sys, time
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from rest_framework.authtoken.models import Token
from django.contrib.auth.models import User
path = sys.argv[1]
token = Token.objects.get_or_create(user=User.objects.get(username="bench"))[0].key
handler = WSGIHandler()
size = os.path.getsize(path)
environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/data-value-sets/", "QUERY_STRING": "",
    "CONTENT_TYPE": "text/csv", "CONTENT_LENGTH": str(size), "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
    "HTTP_HOST": "127.0.0.1", "HTTP_AUTHORIZATION": f"Token {token}", "wsgi.url_scheme": "http",
    "wsgi.input": open(path, "rb"), "wsgi.errors": sys.stderr}
statuses = []
start = time.perf_counter()
body = b"".join(handler(environ, lambda status, headers: statuses.append(status)))
elapsed = time.perf_counter() - start
ok = statuses[0].startswith("200")
print(json.dumps({"status": statuses[0], "seconds": elapsed,
    "body": json.loads(body)["summary"] if ok else body.decode()[:2000],
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_import(path: Path) -> dict[str, float]:
    from django.db import connection

    from baocao.indicators.models import Indicator
    from baocao.orgunits.models import OrgUnit

    ids_i = dict(Indicator.objects.values_list("code", "pk"))
    ids_u = dict(OrgUnit.objects.values_list("code", "pk"))
    from baocao.core.numbers import parse_number

    buffer = io.StringIO()
    with path.open(encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for ind, unit, period, kind, value, comment in reader:
            buffer.write(
                f"{ids_i[ind]}\t{ids_u[unit]}\t{period}\t{kind}\t{parse_number(value)}\t{comment}\t2026-01-01\t2026-01-01\t1\n"
            )
    data = buffer.getvalue().encode()
    del buffer
    with connection.cursor() as cursor:
        # New keys for both writers, also with --reuse after an earlier run's import.
        cursor.execute("DELETE FROM collection_datavalue WHERE kind = 'estimate'")
        cursor.execute("DELETE FROM collection_valuechange WHERE kind = 'estimate'")
        cursor.execute("VACUUM ANALYZE collection_datavalue")
        start = time.perf_counter()
        with cursor.copy(
            "COPY collection_datavalue (indicator_id, org_unit_id, period, kind, value, comment, created_at, "
            "updated_at, version) FROM STDIN"
        ) as copy:
            for offset in range(0, len(data), 1 << 20):
                copy.write(data[offset : offset + (1 << 20)])
        copy_seconds = time.perf_counter() - start
        cursor.execute("DELETE FROM collection_datavalue WHERE kind = 'estimate'")
        cursor.execute("VACUUM ANALYZE collection_datavalue")
    connection.close()
    out = subprocess.run(
        [sys.executable, "-c", API_IMPORT, str(path)],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    api = json.loads(out.stdout.strip().splitlines()[-1])
    if not api["status"].startswith("200"):
        sys.exit(f"API import failed: {api}")
    return {
        "copy_rate": IMPORT_ROWS / copy_seconds,
        "api_rate": IMPORT_ROWS / api["seconds"],
        "copy_s": copy_seconds,
        "api_s": api["seconds"],
        "rss": api["peak_rss_mb"],
        "summary": api["body"],
    }


# ------------------------------------------------------------------------------------------ (b) figures

# The hand-written baseline computes what get_figures returns (issue 16: "make the baseline equal first"):
# every kind, each period's value across the units by the indicator's aggregation_across_units (sum,
# average, the last unit's, a non-additive indicator's only value), previous period, same period last year,
# the year to date by aggregation_across_periods ("lũy kế": each unit's latest value of the year, then across
# units), and every target type of the period and of each period containing it (the first containing
# period of the type, across units by the same rule). It returns tuples, the layer objects.
_ACROSS_UNITS = """CASE i.au WHEN 'sum' THEN SUM({v})
      WHEN 'average' THEN SUM({v}) / COUNT(*)
      WHEN 'last' THEN (array_agg({v} ORDER BY {unit} DESC) FILTER (WHERE i.au = 'last'))[1]
      ELSE CASE WHEN COUNT(*) = 1 THEN MIN({v}) END END"""
HAND_SQL = f"""
WITH ind AS (
  SELECT id, code, aggregation_across_units AS au, aggregation_across_periods AS ap
  FROM indicators_indicator WHERE is_active),
s AS NOT MATERIALIZED (
  SELECT x.indicator_id, x.org_unit_id, x.period, x.kind, x.value FROM collection_datavalue x
  WHERE x.org_unit_id = ANY(%(units)s) AND x.period = ANY(%(all)s) AND x.kind = ANY(%(kinds)s)),
pu AS MATERIALIZED (
  SELECT s.indicator_id, s.period, s.kind, {_ACROSS_UNITS.format(v="s.value", unit="s.org_unit_id")} AS v
  FROM s JOIN ind i ON i.id = s.indicator_id GROUP BY s.indicator_id, s.period, s.kind, i.au),
ytd AS (
  SELECT pu.indicator_id, pu.kind,
    CASE i.ap WHEN 'sum' THEN SUM(pu.v) WHEN 'average' THEN SUM(pu.v) / COUNT(pu.v)
      WHEN 'last' THEN (array_agg(pu.v ORDER BY pu.period DESC) FILTER (WHERE pu.v IS NOT NULL))[1]
      ELSE CASE WHEN %(nytd)s = 1 THEN MAX(pu.v) END END AS v
  FROM pu JOIN ind i ON i.id = pu.indicator_id
  WHERE pu.kind <> 'cumulative' AND pu.period = ANY(%(ytd)s) GROUP BY pu.indicator_id, pu.kind, i.ap),
cum AS (
  SELECT DISTINCT ON (s.indicator_id, s.org_unit_id) s.indicator_id, s.org_unit_id, s.value FROM s
  WHERE s.kind = 'cumulative' AND s.period = ANY(%(ytd)s)
  ORDER BY s.indicator_id, s.org_unit_id, s.period DESC),
cum_ytd AS (
  SELECT c.indicator_id, {_ACROSS_UNITS.format(v="c.value", unit="c.org_unit_id")} AS v
  FROM cum c JOIN ind i ON i.id = c.indicator_id GROUP BY c.indicator_id, i.au),
tg AS (
  SELECT t.indicator_id, tt.code, tt.sort_order,
    (array_agg(t.period ORDER BY array_position(%(containing)s::text[], t.period)))[1] AS period,
    {_ACROSS_UNITS.format(v="t.value", unit="t.org_unit_id")} AS v
  FROM indicators_target t JOIN indicators_targettype tt ON tt.id = t.target_type_id
  JOIN ind i ON i.id = t.indicator_id
  WHERE t.org_unit_id = ANY(%(units)s) AND t.period = ANY(%(containing)s)
  GROUP BY t.indicator_id, tt.code, tt.sort_order, i.au),
tgs AS (
  SELECT indicator_id, array_agg(ARRAY[code, period, v::text] ORDER BY sort_order, code) AS targets
  FROM tg WHERE v IS NOT NULL GROUP BY indicator_id)
SELECT i.code, k.kind, cur.v, prev.v, ly.v,
  CASE WHEN k.kind = 'cumulative' THEN cy.v ELSE y.v END, tgs.targets
FROM ind i CROSS JOIN unnest(%(kinds)s::text[]) AS k(kind)
LEFT JOIN pu cur ON cur.indicator_id = i.id AND cur.kind = k.kind AND cur.period = %(p)s
LEFT JOIN pu prev ON prev.indicator_id = i.id AND prev.kind = k.kind AND prev.period = %(prev)s
LEFT JOIN pu ly ON ly.indicator_id = i.id AND ly.kind = k.kind AND ly.period = %(ly)s
LEFT JOIN ytd y ON y.indicator_id = i.id AND y.kind = k.kind
LEFT JOIN cum_ytd cy ON cy.indicator_id = i.id
LEFT JOIN tgs ON tgs.indicator_id = i.id
"""


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    """Equal, or (an average: Python divides to 28 digits, PostgreSQL to its own scale) within 1e-12."""
    return a == b or (a is not None and b is not None and abs(a - b) < Decimal("1e-12"))


def bench_figures(runs: int) -> list[dict[str, object]]:
    from django.db import connection

    from baocao.analytics.figures import get_figures
    from baocao.collection.models import ValueKind
    from baocao.core.periods import Period, PeriodType
    from baocao.orgunits.models import OrgUnit

    period = Period.month(FIRST_YEAR + 4, 6)
    last_month = period.months()[-1]
    containing = [
        period,
        Period.containing(PeriodType.QUARTER, last_month.cutoff_date),
        Period.containing(PeriodType.HALF_YEAR, last_month.cutoff_date),
        period.year_period(),
        *([Period.nine_months(period.year)] if last_month.index <= 9 else []),
    ]
    containing = [p for p in dict.fromkeys(containing) if p.contains(period)]
    results = []
    leaf = OrgUnit.objects.filter(type__in=["department", "commune"]).order_by("code").first()
    root = OrgUnit.objects.get(code="ROOT")
    for label, unit in (("one unit's report", leaf), ("roll-up of the whole tree", root)):
        assert unit is not None
        units = list(OrgUnit.objects.subtree([unit]).values_list("pk", flat=True))
        ytd = [p.id for p in period.year_to_date()]
        params = {
            "p": period.id,
            "prev": period.previous().id,
            "ly": period.same_period_last_year().id,
            "ytd": ytd,
            "nytd": len(ytd),
            "all": list({period.id, period.previous().id, period.same_period_last_year().id, *ytd}),
            "units": units,
            "kinds": list(ValueKind.values),
            "containing": [p.id for p in containing],
        }

        def hand(params: dict[str, object] = params) -> list[tuple]:  # type: ignore[type-arg]
            with connection.cursor() as cursor:
                cursor.execute(HAND_SQL, params)
                return cursor.fetchall()

        def layer(unit: OrgUnit = unit):  # type: ignore[no-untyped-def]
            return get_figures([unit], period)

        hand(), layer()  # warm the cache
        # Alternated run by run: on a shared machine both see the same load.
        sql_times, fig_times = [], []
        for _ in range(runs):
            sql_t, rows = median(hand, 1)
            fig_t, figures = median(layer, 1)
            sql_times.append(sql_t)
            fig_times.append(fig_t)
        sql_s, fig_s = statistics.median(sql_times), statistics.median(fig_times)
        assert len(rows) == len(figures), (len(rows), len(figures))  # type: ignore[arg-type]
        for code, kind, value, previous, last_year, ytd_value, targets in rows:  # type: ignore[union-attr]
            f = figures.get(code, kind, unit.code)  # type: ignore[union-attr]
            expected = (value, previous, last_year, ytd_value)
            assert all(map(_same, (f.value, f.previous, f.last_year, f.ytd), expected)), (code, kind)
            got = {c: (t.period.id, t.value) for c, t in f.targets.items()}
            want = {c: (pid, Decimal(v)) for c, pid, v in targets or ()}
            assert got.keys() == want.keys() and all(
                got[c][0] == want[c][0] and _same(got[c][1], want[c][1]) for c in got
            ), (code, kind)
        results.append(
            {"label": label, "units": len(units), "figures_s": fig_s, "sql_s": sql_s, "rows": len(rows)}
        )
    return results


# ------------------------------------------------------------------------------------------ (c) saves


def warm_up(port: int, token: str, requests: int) -> None:
    """Wait for gunicorn to answer, then send a round of requests so every worker has loaded the URLs,
    views and connections before the clock starts (a cold worker's first answer took 40 s under load)."""

    def get(_: int = 0) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/org-units/", headers={"Authorization": f"Token {token}"}
        )
        with urllib.request.urlopen(request, timeout=120) as answer:
            return int(answer.status)

    for _ in range(120):
        try:
            get()
            break
        except OSError:
            time.sleep(1)
    with ThreadPoolExecutor(requests) as pool:
        list(pool.map(get, range(requests * 2)))


def bench_saves(
    tokens: list[dict[str, str]], indicators: list[str], users: int, seconds: int, workers: int
) -> dict[str, object]:
    from django.db import connection

    port = 8765
    env = dict(os.environ, BENCH_TOKENS=json.dumps(tokens), BENCH_INDICATORS=json.dumps(indicators))
    env["BENCH_PERIOD"] = f"{random.randrange(2100, 9999)}01"  # keys no earlier run has saved
    env["LOG_LEVEL"] = "ERROR"  # no log line per 409 in the output
    # gthread: idle keep-alive connections wait in the worker's poller, not in a thread; keep-alive longer
    # than the clerks' longest pause (6 s) so a connection is not closed under a client between saves.
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "baocao.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            "8",
            "--keep-alive",
            "10",
            "--backlog",
            "1024",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        warm_up(port, tokens[0]["token"], workers * 8)
        out = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "loadgen.py"),
                "--port",
                str(port),
                "--clients",
                str(users),
                "--seconds",
                str(seconds),
            ],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
    finally:
        gunicorn.terminate()
        gunicorn.wait()
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    run = json.loads(out.stdout.strip().splitlines()[-1])
    counts: dict[str, int] = run.pop("counts")
    lost = 0
    with connection.cursor() as cursor:
        for key, saved in counts.items():
            indicator, unit = key.split("|")
            cursor.execute(
                "SELECT d.value, d.version FROM collection_datavalue d "
                "JOIN indicators_indicator i ON i.id = d.indicator_id "
                "JOIN orgunits_orgunit u ON u.id = d.org_unit_id "
                "WHERE i.code = %s AND u.code = %s AND d.period = %s",
                [indicator, unit, env["BENCH_PERIOD"]],
            )
            row = cursor.fetchone()
            stored, version = (int(row[0]), row[1]) if row else (0, 0)
            # Every clerk waits for the answer of its last save before stopping, so the stored value and
            # version equal its count of successes; anything else is a lost (or phantom) update.
            if stored != saved or stored != version:
                lost += 1
    return run | {"users": users, "workers": workers, "keys": len(counts), "lost": lost}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="province")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seconds", type=int, default=40, help="duration of each load run (c)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes for (c)")
    parser.add_argument("--reuse", action="store_true", help="use the data generated by an earlier run")
    parser.add_argument("--skip", nargs="*", default=[], choices=["import", "figures", "saves"])
    args = parser.parse_args()
    setup_django()
    scale = SCALES[args.scale]
    print(
        f"Máy: {platform.platform()}, {os.cpu_count()} lõi, "
        f"Python {platform.python_version()}; quy mô {scale}"
    )
    made = existing() if args.reuse else generate(scale)
    print(f"Sinh dữ liệu: {made['values']:,} số liệu, {made['units']} đơn vị trong {made['seconds']:.0f} s")
    if "import" not in args.skip:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "import.csv"
            units = [t["org_unit"] for t in made["tokens"]]  # type: ignore[index]
            write_import_file(path, units, made["indicators"])  # type: ignore[arg-type]
            r = bench_import(path)
        print(
            f"(a) nhập 1.000.000 số liệu qua API: {r['api_rate']:,.0f}/s ({r['api_s']:.1f} s), "
            f"COPY thô: {r['copy_rate']:,.0f}/s ({r['copy_s']:.1f} s) "
            f"→ tỷ lệ {r['api_rate'] / r['copy_rate']:.2f} (mục tiêu ≥ 0,5); RSS đỉnh {r['rss']:.0f} MB "
            f"(mục tiêu < 500 MB); {r['summary']}"
        )
    if "figures" not in args.skip:
        for r in bench_figures(args.runs):
            print(
                f"(b) {r['label']} ({r['units']} đơn vị, {r['rows']} dòng chỉ tiêu × loại số liệu): "
                f"figures {r['figures_s'] * 1000:.1f} ms, SQL viết tay {r['sql_s'] * 1000:.1f} ms "
                f"→ tỷ lệ {r['figures_s'] / r['sql_s']:.2f} (mục tiêu: một đơn vị ≤ 1,2; cả tỉnh < 100 ms)"
            )
    if "saves" not in args.skip:
        for users in (50, 200):
            r = bench_saves(made["tokens"], made["indicators"], users, args.seconds, args.workers)  # type: ignore[arg-type]
            print(
                f"(c) {users} máy khách, gunicorn {r['workers']} × 8 luồng: {r['requests']} lần lưu "
                f"({r['rps']:.0f}/s), p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, "
                f"tối đa {r['max']:.0f} ms, "
                f"lỗi {r['errors']} {r['first_errors'] or ''}, mất cập nhật {r['lost']}/{r['keys']} ô; "
                f"bộ tạo tải dùng {r['generator_cpu_s']:.1f} s CPU = {r['generator_cpu_share']:.0%} một lõi "
                "(mục tiêu p95 < 200 ms ở 200 máy, 0 lỗi, 0 mất cập nhật)"
            )


if __name__ == "__main__":
    main()
