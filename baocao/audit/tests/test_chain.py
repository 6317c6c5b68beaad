"""The tamper-evident audit chain (issue 19, point 6): every change appended in its own transaction, no
fork under 50 concurrent writers, and each kind of tampering named by the verification."""

from __future__ import annotations

import json
import re
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from baocao.accounts.models import Role, RoleAssignment
from baocao.audit import chain
from baocao.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from baocao.collection import audit_chain
from baocao.collection.models import DataValue, Submission, SubmissionStatus, ValueChange
from baocao.collection.values import write_values
from baocao.collection.workflow import transition
from baocao.indicators.models import DataSet
from baocao.testing.factories import logged_in, make_user


def _record(indicator: str, unit: str, period: str, value: str) -> dict[str, str]:
    return {"indicator": indicator, "org_unit": unit, "period": period, "kind": "actual", "value": value}


@pytest.fixture
def written(world):
    world.hs = world.indicator("HS")
    write_values(
        None,
        [(1, _record("HS", "CITY_POLICE", "202006", "12")), (2, _record("HS", "CITY_TAX", "202006", "3"))],
        source="csv",
    )
    write_values(None, [(1, _record("HS", "CITY_POLICE", "202006", "13"))], source="web")
    return world


def _messages(result: chain.Verification) -> str:
    return "\n".join(f"{b.where}: {b.message}" for b in result.breaks)


def test_each_value_write_is_one_link_in_the_writes_transaction(written):
    result = chain.verify()
    assert result.ok, _messages(result)
    value_entries = AuditEntry.objects.filter(kind="value")
    assert value_entries.count() == 2  # two batches, one link each
    assert [e.seq for e in AuditEntry.objects.order_by("seq")] == list(range(1, result.entries + 1))
    # A rejected write leaves neither values nor a link behind.
    before = AuditEntry.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - ImportRejected: the unit code does not exist
        write_values(None, [(1, _record("HS", "NOWHERE", "202006", "1"))], source="csv")
    assert AuditEntry.objects.count() == before


def test_bulk_executor_appends_one_link_covering_its_rows(world):
    world.indicator("HS")
    rows = [(i, _record("HS", "CITY_POLICE", f"2020{m:02d}", str(i))) for i, m in enumerate(range(1, 13), 1)]
    write_values(None, rows, source="api", executor="sql")
    entry = AuditEntry.objects.get(kind="value")
    assert '"rows":12' in entry.content
    assert chain.verify().ok
    ValueChange.objects.filter(period="202003").update(new_value=Decimal(99))  # the log edited past the app
    result = chain.verify()
    assert not result.ok
    assert f"khác mục #{entry.seq}" in _messages(result)


def test_a_value_row_edited_past_the_application_is_named(written):
    DataValue.objects.filter(org_unit=written.tax).update(value=Decimal(300))
    result = chain.verify()
    assert not result.ok
    assert "Số liệu HS của Chi cục Thuế kỳ 202006 (Thực hiện)" in _messages(result)
    assert "bị sửa ngoài hệ thống" in _messages(result)


def test_deleting_the_last_entry_is_detected(written):
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True)[0]
    AuditEntry.objects.filter(seq=last).delete()
    result = chain.verify(subjects=False)
    assert not result.ok
    assert result.first_break is not None
    assert result.first_break.seq == last
    assert f"chuỗi dừng ở #{last - 1}: các mục cuối đã bị xóa" in result.first_break.message


def test_deleting_an_entry_in_the_middle_is_detected(written):
    AuditEntry.objects.filter(seq=1).delete()
    result = chain.verify(subjects=False)
    assert result.first_break is not None and result.first_break.seq == 1
    assert "Thiếu mục #1" in result.first_break.message


def test_a_suffix_recomputed_without_the_key_is_detected_by_the_signed_head(written):
    """The forger edits a change log row, rewrites the batch's link to match and recomputes every later
    hash and the head — every link is consistent again, but the head's signature cannot be redone."""
    change = ValueChange.objects.filter(org_unit=written.tax).get()
    ValueChange.objects.filter(pk=change.pk).update(new_value=Decimal(300))
    DataValue.objects.filter(org_unit=written.tax).update(value=Decimal(300))
    from_seq = AuditEntry.objects.filter(kind="value").order_by("seq").first().seq
    prev = AuditEntry.objects.get(seq=from_seq - 1).hash if from_seq > 1 else chain.GENESIS
    for entry in AuditEntry.objects.filter(seq__gte=from_seq).order_by("seq"):
        content = entry.content
        if entry.seq == from_seq:
            count, digest = audit_chain.batch_digest(entry.ref.removeprefix("batch:"))
            parsed = json.loads(content)
            parsed["data"] = {"rows": count, "digest": digest}
            content = chain.canonical(parsed)
        hash_ = chain.link_hash(entry.seq, prev, content)
        AuditEntry.objects.filter(seq=entry.seq).update(content=content, prev_hash=prev, hash=hash_)
        prev = hash_
    AuditHead.objects.filter(pk=chain.HEAD_ID).update(hash=prev)
    AuditCheckpoint.objects.all().delete()  # the forger also drops the checkpoint kept in the database
    result = chain.verify()
    messages = _messages(result)
    assert "Mục" not in messages.split("Chữ ký")[0]  # every link and every row agree again …
    assert not result.ok  # … but the head's signature gives it away
    assert "Chữ ký của đầu chuỗi không khớp: chuỗi đã bị tính lại" in messages


def test_a_signed_checkpoint_detects_a_recomputation_that_re_signs_nothing_before_it(written):
    chain.take_checkpoint()
    point_seq = AuditHead.objects.get().seq
    entry = AuditEntry.objects.get(seq=point_seq)
    AuditEntry.objects.filter(seq=point_seq).update(hash="f" * 64)
    result = chain.verify(subjects=False)
    assert any("khác mốc đã ký" in b.message for b in result.breaks), _messages(result)
    assert entry.hash != "f" * 64


def test_status_and_role_changes_are_chained_and_checked(org):
    form = DataSet.objects.create(code="F", name="Biểu F", period_type="monthly")
    submission = Submission.objects.create(data_set=form, org_unit=org.econ, period="202006")
    transition(submission, "submit", make_user("pkt.truong", Role.UNIT_HEAD, org.econ))
    assert chain.verify().ok, _messages(chain.verify())
    kinds = set(AuditEntry.objects.values_list("kind", flat=True))
    assert {"role", "status"} <= kinds
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.APPROVED)
    RoleAssignment.objects.filter(user=org.staff).update(role=Role.ADMIN)
    messages = _messages(chain.verify())
    assert f"bộ số liệu gửi mã {submission.pk} khác với mục" in messages
    assert "phân quyền mã" in messages and "bị sửa ngoài hệ thống" in messages


def test_command_names_the_first_broken_link(written, capsys):
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "Chuỗi nguyên vẹn" in out
    assert re.search(r"mục trong \d+,\d\d giây", out)  # a decimal comma, as every number on the pages
    AuditEntry.objects.filter(seq=2).update(
        content=AuditEntry.objects.get(seq=2).content.replace('"rows":1', '"rows":9')
    )
    with pytest.raises(CommandError, match="bị hỏng"):
        call_command("verify_audit_chain")
    assert (
        "Mắt xích hỏng đầu tiên: mục #2: Nội dung hoặc mã băm của mục #2 đã bị sửa" in capsys.readouterr().out
    )


def test_verification_page_for_the_office_only(written, client):
    office = make_user("vp", Role.OFFICE, written.city, password="x")
    clerk = make_user("cb", Role.UNIT_STAFF, written.tax, password="x")
    assert logged_in(client, clerk.username).get(reverse("audit:verification")).status_code == 404
    page = logged_in(client, office.username).get(reverse("audit:verification"))
    assert "Chuỗi nguyên vẹn" in page.content.decode()
    DataValue.objects.filter(org_unit=written.tax).update(value=Decimal(300))
    page = logged_in(client, office.username).get(reverse("audit:verification"))
    assert "Mắt xích hỏng đầu tiên" in page.content.decode()
    assert "Chi cục Thuế" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_writers_leave_one_unbroken_chain(world):
    """50 threads, each its own connection, write values at the same moment: one chain, no fork (threads
    on PostgreSQL when DATABASE_URL is set; on SQLite the write transactions queue)."""
    world.indicator("HS")
    start = threading.Barrier(50)
    failures: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            start.wait()
            write_values(None, [(1, _record("HS", "CITY_POLICE", f"{2000 + i}06", str(i)))], source="api")
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    result = chain.verify()
    assert result.ok, _messages(result)
    assert AuditEntry.objects.filter(kind="value").count() == 50
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [s for s, _, _ in seqs] == list(range(1, len(seqs) + 1))
    assert len({p for _, p, _ in seqs}) == len(seqs)  # no two entries share a predecessor: no fork
    assert AuditHead.objects.get().seq == len(seqs)


def test_the_demo_as_loaded_verifies(demo):
    """Everything the demo loader writes goes through the chained paths: nothing reported as tampered."""
    result = chain.verify()
    assert result.ok, _messages(result)
    assert {"value", "role", "template"} <= set(AuditEntry.objects.values_list("kind", flat=True))
