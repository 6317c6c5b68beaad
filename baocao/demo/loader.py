"""The June 2020 demo of UBND thành phố Lạng Sơn: its locality bundle, then its values, narrative and tasks.

Everything that defines the locality — units, sectors, units of measure, indicators, targets, data sets,
rules, report types, key-figure cards, users and roles — is the bundle ``bundles/lang-son-2020/``
(docs/locality-bundle.md), imported by the same engine as ``manage.py import_locality``: there is one
way to load reference data. The demo then adds what a locality produces month by month (``data/``: the
June 2020 values, the units' narrative, the tasks), sets its published password for its users (demo
only) and prepares the June 2020 draft report. Idempotent.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction

from baocao.collection.models import EDITABLE_STATUSES, ChangeSource, Submission, SubmissionStatus
from baocao.collection.values import import_values_csv
from baocao.collection.workflow import WorkflowError, get_submission, transition
from baocao.core import clock
from baocao.core.csvio import ImportRejected, RowError
from baocao.demo.reform import WARD_BUNDLE, load_ward_values
from baocao.demo.tasks import load_demo_tasks
from baocao.demo.users import DEMO_CITY, DEMO_PASSWORD
from baocao.indicators.models import DataSet
from baocao.locality.api import ImportResult, apply_import, read_bundle
from baocao.reports import contributions, runs
from baocao.reports.models import ReportType

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLES_DIR = Path(__file__).resolve().parent / "bundles"
DEMO_BUNDLE = BUNDLES_DIR / "lang-son-2020"

DEMO_REPORT_TYPE = "KTXH_THANG"
DEMO_PERIOD = "202006"
# The demo's "today": Tuesday 16/6/2020, the day June's forms are due (cut-off Sunday 14/6 + 2 working
# days). `make run` serves the demo with BAOCAO_TODAY set to it (Makefile DEMO_TODAY; decision 0020).
DEMO_TODAY = datetime.date(2020, 6, 16)
# The days the units' heads sent June's forms (Monday 15/6 and the deadline day), and how many units, last
# in the city's order, have not sent theirs yet by the demo's today (the office has someone to remind).
DEMO_SUBMISSION_DAYS = (datetime.date(2020, 6, 15), DEMO_TODAY)
DEMO_NOT_YET_SUBMITTED = 2


def load_demo_bundle(path: Path) -> ImportResult:
    """Import a demo bundle as the system (all or nothing); its users get the demo's published password
    if they have none yet (demo only: a real locality's users get set-password links). ImportRejected,
    naming file, row and column, when the bundle has an error."""
    result = apply_import(None, read_bundle(path), dry_run=False)
    if not result.ok:
        errors = result.plan.errors
        raise ImportRejected(
            [RowError(e.line, e.column, f"{e.file or path.name}: {e.message}") for e in errors]
        )
    usernames = [link.username for link in result.password_links]
    if usernames:
        User.objects.filter(username__in=usernames).update(password=make_password(DEMO_PASSWORD))
    return result


def _demo_admin() -> None:
    """The demo's superuser (`admin`, the published password): bundles never make superusers."""
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"first_name": "Quản trị viên", "is_staff": True, "is_superuser": True}
    )
    if created:
        admin.password = make_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])


def _load_reports(data_dir: Path) -> dict[str, int]:
    """The units' June 2020 narrative and a draft report ready to download."""
    report_type = ReportType.objects.get(code=DEMO_REPORT_TYPE)
    saved = contributions.import_contributions(
        report_type, DEMO_PERIOD, (data_dir / f"contributions-{DEMO_PERIOD}.yaml").read_text(encoding="utf-8")
    )
    runs.get_or_create_run(report_type, report_type.org_unit, DEMO_PERIOD)
    return {"contributions": saved}


def submit_demo_forms(period: str = DEMO_PERIOD) -> int:
    """June 2020 as it stood on the demo's today: each unit's head sent the month's form on 15/6 or 16/6
    (on time: the deadline is 16/6), through the ordinary action, except the last units in the city's
    order and any form the checks before sending refuse. Forms already past the draft stay as they are
    (idempotent). Returns how many forms were sent."""
    sent = 0
    monthly = DataSet.objects.filter(is_active=True, period_type="month").prefetch_related("org_units")
    city = f"{DEMO_CITY}_"  # the city's units, not the ward demo's (its forms start in 2025)
    forms = [(ds, unit) for ds in monthly for unit in ds.org_units.all() if unit.code.startswith(city)]
    forms.sort(key=lambda form: (form[1].sort_order, form[1].code, form[0].code))
    for index, (data_set, unit) in enumerate(forms[: max(0, len(forms) - DEMO_NOT_YET_SUBMITTED)]):
        head = User.objects.filter(roles__role="unit_head", roles__org_unit=unit).order_by("pk").first()
        with clock.pinned(DEMO_SUBMISSION_DAYS[index % len(DEMO_SUBMISSION_DAYS)]):
            try:
                submission = get_submission(data_set, unit, period)
                if head is None or submission.status != SubmissionStatus.DRAFT:
                    continue
                transition(submission, "submit", head)
            except WorkflowError:
                continue  # the checks before sending refuse it: it stays a draft, as it would have
        sent += 1
    return sent


def _values_of_open_forms(path: Path) -> str:
    """The demo's values.csv without the rows of forms already sent: a second ``load_demo`` after make
    run's submissions (``make run`` twice) keeps those forms and their values as sent instead of being
    refused whole for writing into them."""
    closed = set(
        Submission.objects.exclude(status__in=EDITABLE_STATUSES).values_list("org_unit__code", "period")
    )
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(r for r in rows if (r["org_unit"], r["period"]) not in closed)
    return out.getvalue()


@transaction.atomic
def load_demo(
    data_dir: Path = DATA_DIR, bundle: Path = DEMO_BUNDLE, *, ward: bool = True, submitted: bool = False
) -> dict[str, int]:
    """Load (or refresh) the June 2020 demo of UBND thành phố Lạng Sơn and, unless ``ward`` is false (the
    test fixtures), the ward demo after the 2025 reform (baocao.demo.reform). ``submitted`` (``manage.py
    load_demo``, so ``make run``): the units' June forms sent as of the demo's today (submit_demo_forms);
    the test fixtures keep them drafts. Idempotent."""
    result = load_demo_bundle(bundle)
    counts = {"created": len(result.plan.created), "changed": len(result.plan.changed)}
    for section in ("Đơn vị", "Chỉ tiêu", "Chỉ tiêu kế hoạch", "Biểu mẫu", "Loại báo cáo", "Người dùng"):
        counts[section] = sum(1 for item in result.plan.items if item.section == section)
    counts["org_units"], counts["indicators"] = counts["Đơn vị"], counts["Chỉ tiêu"]
    counts["targets"], counts["data_sets"] = counts["Chỉ tiêu kế hoạch"], counts["Biểu mẫu"]
    _demo_admin()
    values = import_values_csv(_values_of_open_forms(data_dir / "values.csv"), via=ChangeSource.COMMAND)
    counts["values_created"], counts["values_updated"] = values.created, values.updated
    counts.update(_load_reports(data_dir))
    counts["tasks"] = load_demo_tasks(data_dir / f"tasks-{DEMO_PERIOD}.yaml")
    if submitted:
        counts["submitted"] = submit_demo_forms()
    if ward:  # the second demo: phường Lương Văn Tri after the 2025 reform (docs/decisions/0016)
        load_demo_bundle(WARD_BUNDLE)
        counts.update(load_ward_values())
    return counts
