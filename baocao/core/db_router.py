"""Database router: reads of opted-in pages go to the streaming replica, everything else to the primary.

The ``replica`` alias exists only when ``DATABASE_REPLICA_URL`` is set (settings). Without it this router
answers nothing and Django behaves as with one database. With it:

- writes, migrations and every read outside an opted-in view go to ``default`` (the primary);
- inside a view decorated with ``baocao.core.replica.reads_from_replica`` (GET/HEAD only, not within the
  read-your-own-writes window) reads go to ``replica`` — except reads inside a transaction on the primary
  (a read that belongs to a write) and the models of the apps in ``PRIMARY_ONLY_APPS`` (sessions, tokens,
  the login lock-out and the job queue, which must never be read stale);
- a replica that cannot be reached (connection refused, stopped, restarting) is skipped for
  ``BAOCAO_REPLICA_RETRY_SECONDS`` (per process): those reads use the primary, no request fails for it.

docs/decisions/0031-read-replica-and-topology.md
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

__all__ = [
    "PRIMARY_ONLY_APPS",
    "REPLICA",
    "ReplicaRouter",
    "replica_configured",
    "replica_reads",
    "replica_usable",
]

REPLICA = "replica"
# Read on the primary even in an opted-in page: what a login, a token, a lock-out or a job depends on.
PRIMARY_ONLY_APPS = frozenset({"sessions", "authtoken", "axes", "procrastinate", "admin"})

# True while an opted-in view (or the streaming of its response) runs; set by baocao.core.replica.
replica_reads: ContextVar[bool] = ContextVar("baocao_replica_reads", default=False)

logger = logging.getLogger(__name__)
_down_until = 0.0  # monotonic time until which this process leaves the replica alone


def replica_configured() -> bool:
    """Whether a ``replica`` alias is configured (the connection handler's copy of settings.DATABASES)."""
    return REPLICA in connections.settings


def _retry_seconds() -> float:
    return float(getattr(settings, "BAOCAO_REPLICA_RETRY_SECONDS", 5))


def mark_replica_down() -> None:
    global _down_until
    _down_until = time.monotonic() + _retry_seconds()


def reset_replica_health() -> None:
    """Forget a remembered failure (tests; an operator who knows the replica is back)."""
    global _down_until
    _down_until = 0.0


def replica_usable() -> bool:
    """Whether the replica answers now: its connection is health-checked or opened here, so a refused
    connection becomes a fallback to the primary, never a 5xx."""
    if time.monotonic() < _down_until:
        return False
    connection = connections[REPLICA]
    try:
        # A connection kept from an earlier request is checked first (once per request, CONN_HEALTH_CHECKS):
        # a replica stopped since then is found here, not by the page's query.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        logger.warning("Máy chủ đọc phụ không kết nối được, đọc từ máy chủ chính: %s", error)
        mark_replica_down()
        return False
    return True


class ReplicaRouter:
    """Primary for writes and ordinary reads; the replica for opted-in reads (see the module's text)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not replica_configured():
            return None
        if (
            not replica_reads.get()
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
            or not replica_usable()
        ):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS if replica_configured() else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        both = {obj1._state.db, obj2._state.db}
        if replica_configured() and both <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True  # the same data: an object read on the replica may be linked to one on the primary
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if db == REPLICA:
            return False  # the replica follows the primary's WAL; nothing is ever migrated on it
        return None
