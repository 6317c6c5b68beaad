"""Locust clients for bench_scale.py (c): each client owns one value (its unit, an indicator, a future
month) and saves it again and again through POST /api/v1/data-values/ with the version it last saw,
thinking 2–6 s between saves: the pace of a clerk reading a figure from a paper and typing it into a
field (the form saves each field as the clerk leaves it). At the end every client's count
of successful saves is written out; the benchmark checks the stored value and version equal it."""

from __future__ import annotations

import itertools
import json
import os

from locust import HttpUser, between, events, task

TOKENS = json.loads(os.environ.get("BENCH_TOKENS", "[]"))
INDICATORS = json.loads(os.environ.get("BENCH_INDICATORS", "[]"))
PERIOD = os.environ.get("BENCH_PERIOD", "203001")
COUNTS: dict[str, int] = {}
_numbers = itertools.count()


class Clerk(HttpUser):
    wait_time = between(2, 6)

    def on_start(self) -> None:
        n = next(_numbers)
        owner = TOKENS[n % len(TOKENS)]
        self.unit = owner["org_unit"]
        self.indicator = INDICATORS[(n // len(TOKENS)) % len(INDICATORS)]
        self.client.headers["Authorization"] = f"Token {owner['token']}"
        self.key = f"{self.indicator}|{self.unit}"
        self.saved = 0
        COUNTS[self.key] = 0

    @task
    def save(self) -> None:
        body = {
            "indicator": self.indicator,
            "org_unit": self.unit,
            "period": PERIOD,
            "value": self.saved + 1,
            "version": self.saved,
        }
        with self.client.post(
            "/api/v1/data-values/", json=body, name="save", catch_response=True
        ) as response:
            if response.status_code in (200, 201):
                self.saved += 1
                COUNTS[self.key] = self.saved
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")


@events.test_stop.add_listener
def write_counts(**_: object) -> None:
    path = os.environ.get("BENCH_COUNTS")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(COUNTS, f)
