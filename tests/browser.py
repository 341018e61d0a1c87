"""What the real-browser tests share: headless Chromium's launch flags, and a JupyterLab server on loopback."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def require_browser() -> None:
    """Skip unless Playwright (the Python package) and Debian's Chromium are there."""
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (never `playwright install`)")
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install chromium)")


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyter_lab(root: Path, log: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """JupyterLab over ``root`` on 127.0.0.1 (app exposed to the page); yields (base URL, token), then stops it."""
    port, token = free_port(), secrets.token_hex(16)
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True", "--allow-root"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None:
                        pytest.fail(f"jupyter lab exited: {log.read_text()[-2000:]}")
                    time.sleep(0.5)
            yield base, token
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def run_all_cells(page, base: str, token: str, name: str) -> None:
    """Open notebook ``name`` alone in JupyterLab, wait for its kernel, and run every cell (returns at once)."""
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}")  # reset: only this notebook open
    page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.wait_for_function(  # the kernel is up and idle
        "document.querySelector('.jp-Notebook') && "
        "!!window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel", timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
