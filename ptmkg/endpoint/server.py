"""The read-only SPARQL endpoint: Oxigraph's own HTTP server over a ptmkg store."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ptmkg.errors import PtmkgError

LOOPBACK = "127.0.0.1"


def server_command(store: Path, host: str = LOOPBACK, port: int = 7878, cors: bool = False,
                   timeout_s: int = 60) -> list[str]:
    """The ``oxigraph serve-read-only`` command line for ``store`` (union default graph)."""
    exe = shutil.which("oxigraph")
    if exe is None:
        raise PtmkgError("the 'oxigraph' server is not installed; pip install oxigraph")
    if not (store / "CURRENT").exists():
        raise PtmkgError(f"no store at {store}; run 'ptmkg build' first")
    cmd = [exe, "serve-read-only", "--location", str(store), "--bind", f"{host}:{port}",
           "--union-default-graph", "--timeout-s", str(timeout_s)]
    return cmd + (["--cors"] if cors else [])


def serve(store: Path, host: str = LOOPBACK, port: int = 7878, cors: bool = False) -> int:
    """Run the endpoint in the foreground until interrupted; returns the server's exit code."""
    cmd = server_command(store, host, port, cors)
    print(f"SPARQL endpoint (read-only) at http://{host}:{port}/query  (Ctrl-C stops)", file=sys.stderr)
    proc = subprocess.Popen(cmd)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()
