"""The graph an exercise runs on: the starter sources in memory, plus loopback SPARQL endpoints for SERVICE."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice

import polars as pl
import pyoxigraph as ox

from ptmkg.endpoint import LOOPBACK
from ptmkg.errors import PtmkgError, sparql_syntax_error
from ptmkg.namespaces import PREFIXES
from ptmkg.results import _column, _convert
from ptmkg.sparql_guard import ServiceRefused, check_services

MAX_ROWS = 200_000


@lru_cache(maxsize=8)
def exercise_store(sources: tuple[str, ...]) -> ox.Store:
    """An in-memory store holding ``sources`` (each ingested as its own snapshot graph); built once per process."""
    from ptmkg.kg import KG

    kg = KG.memory()
    for source in sources:
        kg.ingest(source)
    return kg.oxigraph


def _handler(store: ox.Store) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """The SPARQL 1.1 protocol's query operation (GET ?query= or POST), read-only, JSON results."""

        def do_GET(self) -> None:
            self._answer(urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).get("query", [""])[0])

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
            if self.headers.get("Content-Type", "").startswith("application/sparql-query"):
                self._answer(body)
            else:
                self._answer(urllib.parse.parse_qs(body).get("query", [""])[0])

        def _answer(self, query: str) -> None:
            try:
                result = store.query(query, use_default_graph_as_union=True)
                if isinstance(result, ox.QueryTriples):
                    data, kind = result.serialize(format=ox.RdfFormat.N_TRIPLES), "application/n-triples"
                else:
                    data, kind = result.serialize(format=ox.QueryResultsFormat.JSON), "application/sparql-results+json"
                status = 200
            except (SyntaxError, OSError) as e:
                data, kind, status = str(e).encode(), "text/plain", 400
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def loopback_endpoints(services: dict[str, tuple[str, ...]]) -> Iterator[dict[str, str]]:
    """Serve each service's sources on 127.0.0.1 (a free port, in this process); yields IRI → local URL.

    The servers stop when the block ends.
    """
    servers: list[ThreadingHTTPServer] = []
    urls: dict[str, str] = {}
    try:
        for iri, sources in services.items():
            server = ThreadingHTTPServer((LOOPBACK, 0), _handler(exercise_store(sources)))
            # a short poll interval: shutdown() waits for the server's next poll
            threading.Thread(target=server.serve_forever, args=(0.05,), name=f"ptmkg-service-{iri}",
                             daemon=True).start()
            servers.append(server)
            urls[iri] = f"http://{LOOPBACK}:{server.server_address[1]}/query"
        yield urls
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def _capped(items: Iterator[tuple], what: str) -> list[tuple]:
    """At most :data:`MAX_ROWS` results; more stops the query (no exercise needs that many)."""
    taken = list(islice(items, MAX_ROWS + 1))
    if len(taken) > MAX_ROWS:
        raise PtmkgError(f"the query returns more than {MAX_ROWS:,} {what}, far more than any answer: a pattern is "
                         "probably not joined to the others (no shared variable), which multiplies the results")
    return taken


def terms_frame(names: list[str], rows: list[tuple]) -> pl.DataFrame:
    """SELECT rows of RDF terms as a DataFrame typed like :func:`ptmkg.results.solutions_frame` does."""
    return pl.DataFrame([_column(n, [_convert(r[i]) for r in rows]) for i, n in enumerate(names)])


def execute(query: str, sources: tuple[str, ...], services: dict[str, tuple[str, ...]] | None = None,
            *, frame: bool = False) -> tuple[list[str] | None, object]:
    """Run ``query`` on the exercise graph; returns (variables, rows of terms) for SELECT, (None, bool) for
    ASK and (None, triples) for CONSTRUCT/DESCRIBE; with ``frame`` a SELECT gives (variables, DataFrame).
    A syntax error raises PtmkgError naming line and column.

    Service IRIs named in ``services`` are rewritten to the loopback endpoints serving them; a SERVICE
    call to any other endpoint is refused before the query runs.
    """
    store = exercise_store(sources)
    with loopback_endpoints(services or {}) as urls:
        text = query
        for iri, url in urls.items():
            text = text.replace(f"<{iri}>", f"<{url}>")
        try:
            check_services(text, urls.values())
        except ServiceRefused:
            named = ", ".join(f"<{iri}>" for iri in urls) or "none: it needs no SERVICE"
            raise PtmkgError(f"SERVICE may call only this exercise's endpoints ({named})") from None
        try:
            result = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
            if isinstance(result, ox.QueryBoolean):
                return None, bool(result)
            if isinstance(result, ox.QuerySolutions):
                names = [v.value for v in result.variables]
                rows = _capped((tuple(row[i] for i in range(len(names))) for row in result), "rows")
                return names, (terms_frame(names, rows) if frame else rows)
            return None, _capped((tuple(t) for t in result), "triples")
        except SyntaxError as e:
            raise sparql_syntax_error(query, str(e)) from None
        except OSError as e:
            message = str(e)
            for iri, url in urls.items():
                message = message.replace(url, iri)
            raise PtmkgError(f"the query failed while running: {message}") from None
