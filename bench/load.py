"""Load on the web app over loopback: requests per second, p50/p95 latency and errors for the
search, record and draft pages, with 1, 8 and 32 concurrent clients against 1 and 2 server
processes, on the shipped corpus and on a synthetic JSON Lines corpus.

Each run starts `programfinder serve` on a free loopback port, sends a bounded number of
requests (and stops after a time bound), then stops the server. Clients are asyncio connections
with keep-alive in this one process, so that the load generator itself costs little CPU.

    python bench/synth.py --records 100000 --seed 1 --out /tmp/bench/corpus-100k.jsonl
    python bench/load.py --big /tmp/bench/corpus-100k.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import yaml

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"  # the only address this script ever sends to


@dataclass
class Target:
    """What to ask of one corpus: queries, record ids and drafts."""

    name: str
    corpus: Path | None
    queries: list[str]
    ids: list[str]
    drafts: list[str]


def shipped_target() -> Target:
    import programfinder

    queries = [q["query"] for q in yaml.safe_load((ROOT / "eval/queries.yaml").read_text())]
    drafts = [d["text"] for d in yaml.safe_load((ROOT / "eval/drafts.yaml").read_text())]
    ids = programfinder.load_corpus().ids
    return Target("shipped corpus", None, queries, ids, drafts)


def synthetic_target(path: Path) -> Target:
    extras = json.loads(path.with_suffix(".queries.json").read_text())
    ids = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            ids.append(json.loads(line)["id"])
            if len(ids) == 2_000:
                break
    records = sum(1 for _ in path.open("rb"))
    return Target(
        f"{records:,} records (synthetic)", path, extras["queries"], ids, extras["drafts"]
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(target: Target, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = [sys.executable, "-m", "programfinder", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    if target.corpus is not None:
        command += ["--corpus", str(target.corpus)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        raise SystemExit("the server did not start")
    time.sleep(1.0 if workers > 1 else 0.2)  # let every worker open the index
    return server, port


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(2)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def requests_for(target: Target, page: str, count: int) -> list[bytes]:
    """``count`` raw HTTP/1.1 requests for one kind of page, cycling through the inputs."""
    made = []
    for i in range(count):
        if page == "search":
            path = "/search?" + urlencode({"q": target.queries[i % len(target.queries)]})
            made.append(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        elif page == "record":
            path = "/programs/" + quote(target.ids[(i * 7919) % len(target.ids)])
            made.append(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        else:
            body = urlencode({"text": target.drafts[i % len(target.drafts)]}).encode()
            head = (
                "POST /draft HTTP/1.1\r\nHost: bench\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            made.append(head.encode() + body)
    return made


async def client(
    port: int, queue: list[bytes], latencies: list[float], errors: list[str], stop_at: float
) -> None:
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    try:
        while queue and time.monotonic() < stop_at:
            request = queue.pop()
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                errors.append(str(status))
            if b"connection: close" in head.lower():
                writer.close()
                reader, writer = await asyncio.open_connection(LOOPBACK, port)
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        errors.append(exc.__class__.__name__)
    finally:
        writer.close()


async def run_load(
    port: int, requests: list[bytes], clients: int, seconds: float
) -> dict[str, float]:
    queue = list(reversed(requests))
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.monotonic() + seconds
    start = time.perf_counter()
    await asyncio.gather(*(client(port, queue, latencies, errors, stop_at) for _ in range(clients)))
    wall = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p95": ordered[int(0.95 * (len(ordered) - 1))] * 1000 if ordered else float("nan"),
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=Path, help="a JSONL corpus made by bench/synth.py")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--pages", nargs="+", default=["search", "record", "draft"])
    parser.add_argument("--requests", type=int, default=400, help="per run (drafts: a quarter)")
    parser.add_argument("--seconds", type=float, default=30, help="time bound per run")
    args = parser.parse_args()
    targets = [shipped_target()]
    if args.big:
        targets.append(synthetic_target(args.big))
    print(f"# Load, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print("| corpus | page | workers | clients | requests | req/s | p50 ms | p95 ms | errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for target in targets:
        for workers in args.workers:
            server, port = start_server(target, workers)
            try:
                for page in args.pages:
                    count = args.requests // 4 if page == "draft" else args.requests
                    asyncio.run(run_load(port, requests_for(target, page, 20), 2, 30))  # warm-up
                    for clients in args.clients:
                        figures = asyncio.run(
                            run_load(port, requests_for(target, page, count), clients, args.seconds)
                        )
                        print(
                            f"| {target.name} | {page} | {workers} | {clients} | "
                            f"{figures['requests']:.0f} | {figures['rps']:.0f} | "
                            f"{figures['p50']:.1f} | {figures['p95']:.1f} | {figures['errors']:.0f} |",
                            flush=True,
                        )
            finally:
                stop_server(server)


if __name__ == "__main__":
    main()
