"""`cxloop serve`: upgrades the database and serves the pages and the API until stopped."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx

from tests.cli.conftest import Cli
from tests.conftest import free_port


def test_serve_answers_the_login_page_and_the_openapi_document(cli: Cli) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxloop", "serve", "--port", str(port)],
        env=cli.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()[0]
            try:
                login = httpx.get(f"{base}/login", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "cxloop serve did not answer within 60 s"
                time.sleep(0.2)
        assert login.status_code == 200
        assert "Log in to cxloop" in login.text
        spec = httpx.get(f"{base}/openapi.json", timeout=5).json()
        assert "/api/v1/me" in spec["paths"]
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=30)[0]
    assert f"serving on http://127.0.0.1:{port}" in output
    assert "Traceback" not in output
