"""A light load generator for bench_scale.py (c): N clerks on one asyncio loop, each owning one value (its
unit, an indicator, a future month) and saving it again and again through POST /api/v1/data-values/ with
the version it last saw, thinking 2–6 s between saves (a clerk reading a figure from paper and typing it;
the entry form saves each field as the clerk leaves it). One keep-alive HTTP/1.1 connection per clerk,
requests written by hand: no framework, no thread per client, so the generator takes a few per cent of
one core and leaves the server the machine (locust with gevent took a large share of the 2 cores).

Prints one JSON object: requests, errors (any answer but 200/201, and connection failures), p50/p95/max
in ms, saves/s, the generator's own CPU (user + system seconds, and as a share of one core over the run)
and every clerk's count of successful saves (``counts``: "indicator|unit" → n), which the benchmark checks
against the stored value and version (no lost update).

Run: ``python bench/loadgen.py --host 127.0.0.1 --port 8765 --clients 200 --seconds 40`` with
BENCH_TOKENS (JSON list of {"token", "org_unit"}), BENCH_INDICATORS (JSON list of codes) and BENCH_PERIOD.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, server keeps the connection) of one HTTP/1.1 response."""
    status_line = await reader.readuntil(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length, chunked, keep = 0, False, True
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and value == "close":
            keep = False
    if not chunked:
        return status, await reader.readexactly(length), keep
    body = b""
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        body += await reader.readexactly(size)
        await reader.readexactly(2)
    await reader.readuntil(b"\r\n")
    return status, body, keep


class Clerk:
    def __init__(self, host: str, port: int, token: str, indicator: str, unit: str, period: str) -> None:
        self.host, self.port = host, port
        self.head = (
            f"POST /api/v1/data-values/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Token {token}\r\nContent-Type: application/json\r\n"
            "Accept: application/json\r\n"
        )
        self.indicator, self.unit, self.period = indicator, unit, period
        self.key = f"{indicator}|{unit}"
        self.saved = 0
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def _exchange(self, request: bytes) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        try:
            writer.write(request)
            await writer.drain()
            status, body, keep = await _read_response(reader)
        except BaseException:
            writer.close()
            self.streams = None
            raise
        if not keep:
            writer.close()
            self.streams = None
        return status, body

    async def save(self, tally: Tally) -> None:
        body = json.dumps(
            {
                "indicator": self.indicator,
                "org_unit": self.unit,
                "period": self.period,
                "value": self.saved + 1,
                "version": self.saved,
            }
        ).encode()
        request = f"{self.head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        start = time.perf_counter()
        try:
            status, answer = await self._exchange(request)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            tally.latencies.append(time.perf_counter() - start)
            tally.errors.append(f"connection: {exc!r}")
            return
        tally.latencies.append(time.perf_counter() - start)
        if status in (200, 201):
            self.saved += 1
            tally.counts[self.key] = self.saved
        else:
            tally.errors.append(f"{status}: {answer[:200].decode('utf-8', 'replace')}")

    async def run(self, stop_at: float, ramp: float, rng: random.Random, tally: Tally) -> None:
        tally.counts[self.key] = 0
        await asyncio.sleep(rng.uniform(0, ramp))
        while time.monotonic() < stop_at:
            await self.save(tally)
            await asyncio.sleep(rng.uniform(2, 6))
        if self.streams is not None:
            self.streams[1].close()


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    tokens = json.loads(os.environ["BENCH_TOKENS"])
    indicators = json.loads(os.environ["BENCH_INDICATORS"])
    period = os.environ.get("BENCH_PERIOD", "203001")
    clerks = []
    for n in range(args.clients):
        owner = tokens[n % len(tokens)]
        indicator = indicators[(n // len(tokens)) % len(indicators)]
        clerks.append(Clerk(args.host, args.port, owner["token"], indicator, owner["org_unit"], period))
    tally = Tally()
    rng = random.Random(args.seed)
    started = time.monotonic()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    stop_at = started + args.seconds
    await asyncio.gather(*(c.run(stop_at, args.ramp, rng, tally) for c in clerks))
    wall = time.monotonic() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    ms = sorted(1000 * t for t in tally.latencies)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {
        "clients": args.clients,
        "requests": len(ms),
        "errors": len(tally.errors),
        "first_errors": tally.errors[:5],
        "p50": cuts[49],
        "p95": cuts[94],
        "max": ms[-1] if ms else 0.0,
        "rps": len(ms) / wall,
        "seconds": wall,
        "generator_cpu_s": cpu,
        "generator_cpu_share": cpu / wall,
        "counts": tally.counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--ramp", type=float, default=5, help="clients start spread over this many seconds")
    parser.add_argument("--seed", type=int, default=7)
    print(json.dumps(asyncio.run(main_async(parser.parse_args()))))


if __name__ == "__main__":
    main()
