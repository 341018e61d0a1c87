"""Snapshots into a Virtuoso on this machine by its bulk loader (``ld_add`` + ``rdf_loader_run``), through ``isql``.

For graphs too large to send over HTTP comfortably: each snapshot is dumped as Turtle into a folder the
server may read (its ``DirsAllowed``), the server's copy of that graph is dropped, and Virtuoso's
loader reads the files itself, without a transaction log, then checkpoints. The records go into the
catalog graph as with :func:`ptmkg.remote.publish`, so ``KG.remote`` lists the same snapshots.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ptmkg.errors import PtmkgError
from ptmkg.namespaces import CATALOG_GRAPH
from ptmkg.remote import dump_snapshot
from ptmkg.store import GraphStore


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def isql(script: str, *, port: int, user: str = "dba", password: str = "dba", host: str = "127.0.0.1",
         program: str = "isql-vt", timeout_s: float = 3600) -> str:
    """Run SQL statements on a Virtuoso server with its ``isql`` client; the output, or an error naming the first failure."""
    exe = shutil.which(program) or shutil.which("isql")
    if exe is None:
        raise PtmkgError(f"Virtuoso's isql client ('{program}') is not installed (Debian: virtuoso-opensource)")
    done = subprocess.run([exe, f"{host}:{port}", user, password], input=script + "\nEXIT;\n",
                          capture_output=True, text=True, timeout=timeout_s)
    failure = next((line for line in (done.stderr + done.stdout).splitlines() if line.startswith("*** Error")), None)
    if failure or done.returncode:
        raise PtmkgError(f"Virtuoso at {host}:{port} refused the load: {failure or done.stderr.strip()[:300]}")
    return done.stdout


def bulk_load(store: GraphStore, folder: str | Path, snapshots: Sequence[str] | None = None, *, port: int,
              user: str = "dba", password: str = "dba", host: str = "127.0.0.1") -> list[str]:
    """Load snapshot graphs (all by default) and their catalog records into Virtuoso with its bulk loader.

    ``folder`` must be readable by the server and listed in its ``DirsAllowed``; ``port`` is its SQL
    port (``ServerPort``, 1111 by default). Each graph replaces the server's graph of the same IRI;
    the files stay in ``folder``. Returns the loaded graph IRIs.
    """
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    graphs = list(snapshots) if snapshots is not None else list(store.snapshots()["graph"])
    lines = ["log_enable(3, 1);"]
    for graph in graphs:
        data, meta = dump_snapshot(store, graph, folder)
        lines += [f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id({_sql_string(graph)});",
                  f"DELETE FROM DB.DBA.load_list WHERE ll_file IN ({_sql_string(str(data))}, {_sql_string(str(meta))});",
                  f"ld_add({_sql_string(str(data))}, {_sql_string(graph)});",
                  f"ld_add({_sql_string(str(meta))}, {_sql_string(CATALOG_GRAPH)});"]
    lines += ["rdf_loader_run();", "checkpoint;",
              "SELECT 'failed', ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL "
              f"AND ll_file LIKE {_sql_string(str(folder) + '/%')};"]
    out = isql("\n".join(lines), port=port, user=user, password=password, host=host)
    failed = [line for line in out.splitlines() if line.startswith("failed")]
    if failed:
        raise PtmkgError(f"Virtuoso's loader failed on {failed[0].split(None, 1)[1][:300]}")
    return graphs
