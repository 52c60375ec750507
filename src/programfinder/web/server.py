"""Running the web app: uvicorn in this process, or ``workers`` processes that each open the
index the parent built (memory-mapped: the operating system keeps one copy of its pages)."""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import socket
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..errors import ProgramFinderError
from ..records.corpus import ENV_VAR
from ..retrieval.opening import open_index
from .app import SECURITY_HEADERS, create_app

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with Nagle's algorithm off on every connection.

    asyncio turns it off itself only for sockets it created; the listening socket that uvicorn
    shares between ``--workers`` processes is made without naming the TCP protocol, so without
    this each response (headers and body written apart) waited for the client's delayed
    acknowledgement: about 40 ms per request.
    """

    def connection_made(self, transport: Any) -> None:
        connection = transport.get_extra_info("socket")
        if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's own answer to a request it cannot parse (a 100 KB address, a malformed
        line), with the security headers every other response carries."""
        event = h11.Response(
            status_code=400,
            reason=b"Bad Request",
            headers=[
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"connection", b"close"),
                *SECURITY_HEADERS,
            ],
        )
        self.transport.write(self.conn.send(event))
        self.transport.write(self.conn.send(h11.Data(data=msg.encode("ascii", "replace"))))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()


def is_loopback(host: str) -> bool:
    """True for an address only this computer can reach."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


def check_address(host: str, port: int) -> None:
    """Bind ``host:port`` for a moment, as uvicorn will: a port in use, a port that needs
    administrator rights or a host that is not this computer's is one clear error now,
    instead of a "serving at" line followed by the server's own traceback-like message."""
    address = host.strip("[]")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # as uvicorn binds: a port whose last connections are closing is free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((address, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            reason = (
                f"port {port} is already in use on {host} (is another programfinder serve "
                "running?). Stop it, or choose another port with --port"
            )
        elif exc.errno == errno.EACCES:
            reason = (
                f"listening on port {port} needs administrator rights. Choose a port above "
                "1023 with --port"
            )
        else:
            reason = (
                f"{host} is not an address of this computer ({exc.strerror or exc}). Use "
                "--host 127.0.0.1, or an address this computer has"
            )
        raise ProgramFinderError(f"Cannot serve on {url_for(host, port)}: {reason}.") from None


def _open_when_ready(host: str, port: int, url: str, timeout: float = 30.0) -> None:
    """Open the browser once the server accepts connections."""

    def wait_and_open() -> None:
        target = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host.strip("[]")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((target, port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        webbrowser.open(url)

    threading.Thread(target=wait_and_open, daemon=True).start()


def serve(
    corpus: Path | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    workers: int = 1,
    open_browser: bool = False,
    say: object = print,
) -> None:
    """Build (or load) the index once, then serve until Ctrl-C. ``ProgramFinderError`` when
    the address cannot be listened on, before anything is printed."""
    check_address(host, port)
    index = open_index(corpus)  # builds the cache now, before any worker starts
    url = url_for(host, port)
    echo = say if callable(say) else print
    echo(
        f"programfinder: {len(index):,} programs at {url}"
        + (f" ({workers} worker processes)" if workers > 1 else "")
        + ". Press Ctrl-C to stop."
    )
    if not is_loopback(host):
        print(
            f"warning: listening on {host}: anyone who can reach this computer on port {port} "
            "can use the page. It has no authentication; put it behind a reverse proxy that "
            "checks who is asking, or use --host 127.0.0.1.",
            file=sys.stderr,
        )
    if open_browser:
        _open_when_ready(host, port, url)
    options: dict[str, object] = {
        "host": host.strip("[]"),
        "port": port,
        "log_level": "warning",
        "access_log": False,
        "server_header": False,
        "timeout_graceful_shutdown": 5,
        "http": NoDelayH11Protocol,
    }
    if workers > 1:
        # Each worker process imports the app factory and opens the index from the cache that
        # was just built; the corpus is passed the way the CLI itself reads it.
        if index.corpus_root is not None:
            os.environ[ENV_VAR] = str(index.corpus_root)
        uvicorn.run(
            "programfinder.web.app:create_app",
            factory=True,
            workers=workers,
            **options,  # type: ignore[arg-type]
        )
    else:
        uvicorn.run(create_app(index=index), **options)  # type: ignore[arg-type]
