"""Load generator of the ingest benchmark; runs in its own process (``python -m``).

It speaks plain HTTP/1.1 over keep-alive connections with asyncio streams, so that the client
costs little CPU next to the server on a small machine. Reads a JSON job on stdin, prints a JSON
result on stdout: the wall time, the status counts and the latency percentiles.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson

from cxloop.bench.payloads import payloads


@dataclass
class Job:
    urls: list[str]  # server replicas; connections are spread over them
    key: str
    mode: str  # "single" or "batch"
    survey_id: str
    count: int  # responses in all
    concurrency: int
    seed: int
    prefix: str
    batch_size: int = 1000


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    first_error: str = ""


class Connection:
    """One keep-alive HTTP/1.1 connection sending pre-built POST requests."""

    def __init__(self, host: str, port: int, path: str, key: str) -> None:
        self.host, self.port = host, port
        self.head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {key}\r\n"
            "Content-Type: application/json\r\nContent-Length: "
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(self.head + str(len(body)).encode() + b"\r\n\r\n" + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.partition(b":") for line in head.split(b"\r\n")[1:] if line)
        }
        if headers.get(b"transfer-encoding") == b"chunked":
            payload = await _read_chunked(self.reader)
        else:
            payload = await self.reader.readexactly(int(headers.get(b"content-length", b"0")))
        if headers.get(b"connection") == b"close":
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        data = await reader.readexactly(size + 2)  # the chunk and its CRLF
        if size == 0:  # no trailers: the last CRLF ends the body
            return b"".join(parts)
        parts.append(data[:-2])


def bodies(job: Job) -> list[bytes]:
    items = payloads(job.survey_id, job.count, seed=job.seed, prefix=job.prefix)
    if job.mode == "single":
        return [orjson.dumps(item) for item in items]
    size = job.batch_size
    return [orjson.dumps({"items": items[i : i + size]}) for i in range(0, len(items), size)]


async def drive(job: Job, requests: list[bytes]) -> tuple[Tally, float]:
    """Sends every request with ``job.concurrency`` connections; returns the tally and wall time."""
    servers = [urlsplit(url) for url in job.urls]
    path = "/api/v1/responses" + ("/batch" if job.mode == "batch" else "")
    tally = Tally()
    queue = iter(requests)

    async def worker(n: int) -> None:
        server = servers[n % len(servers)]
        conn = Connection(server.hostname or "127.0.0.1", server.port or 80, path, job.key)
        try:
            for body in queue:
                started = time.perf_counter()
                status, payload = await conn.post(body)
                tally.latencies.append(time.perf_counter() - started)
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
                if status >= 300 and not tally.first_error:
                    tally.first_error = payload[:500].decode(errors="replace")
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(job.concurrency)))
    return tally, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def run(job: Job) -> dict[str, Any]:
    requests = bodies(job)
    try:
        import uvloop

        tally, seconds = uvloop.run(drive(job, requests))
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        tally, seconds = asyncio.run(drive(job, requests))
    ok = sum(n for status, n in tally.statuses.items() if status < 300)
    per_request = job.batch_size if job.mode == "batch" else 1
    return {
        "mode": job.mode,
        "requests": len(requests),
        "ok_requests": ok,
        "responses": min(job.count, ok * per_request),
        "seconds": seconds,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "first_error": tally.first_error,
        "p50_ms": percentile(tally.latencies, 0.50) * 1000,
        "p99_ms": percentile(tally.latencies, 0.99) * 1000,
        "max_ms": max(tally.latencies, default=0.0) * 1000,
    }


def main() -> None:
    job = Job(**json.loads(sys.stdin.read()))
    sys.stdout.write(json.dumps(run(job)) + "\n")


if __name__ == "__main__":
    main()
