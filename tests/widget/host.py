"""A host website on another origin: a plain static server with a page that embeds the widget."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.conftest import free_port

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<style>
  body {{ font-family: serif; background: rgb(250, 240, 230); }}
  button {{ background: rgb(255, 0, 0); color: rgb(255, 255, 255); padding: 3px; }}
  p {{ color: rgb(0, 128, 0); }}
</style>
<script>
  window.hostErrors = [];
  window.addEventListener("error", function (e) {{ window.hostErrors.push(String(e.message)); }});
  window.addEventListener("unhandledrejection", function (e) {{
    window.hostErrors.push(String(e.reason)); }});
  window.cxloop = window.cxloop || function () {{ (cxloop.q = cxloop.q || []).push(arguments); }};
  {early}
</script>
<script src="{script}" data-workspace="{key}" async></script>
</head><body>
<h1 id="title">Thanks for your order</h1>
<p id="msg">Order A-1001 is on its way.</p>
<button id="host-button" type="button">Continue shopping</button>
</body></html>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def host_site(folder: Path, pages: dict[str, str]) -> Iterator[str]:
    """Serves `pages` (name -> HTML, plus any files already in folder); yields the origin."""
    for name, html in pages.items():
        (folder / name).write_text(html, encoding="utf-8")
    port = free_port()
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
