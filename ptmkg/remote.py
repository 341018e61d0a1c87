"""A ptmkg graph on a SPARQL server: the :class:`~ptmkg.kg.KG` query API over the SPARQL 1.1 Protocol.

``KG.remote(url)`` answers ``query``, canned queries by name, ``snapshots()`` and ``claims.run()``
from any SPARQL 1.1 endpoint holding ptmkg snapshots (one named graph each, the catalog graph, and a
union default graph). Results are parsed by Oxigraph's own result parsers and converted exactly as
the embedded store's are, so the DataFrames have the same dtypes. The server is only read;
:func:`publish` puts snapshots there by the SPARQL 1.1 Graph Store HTTP Protocol.
"""

from __future__ import annotations

import json
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import polars as pl
import pyoxigraph as ox
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth
from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ptmkg.errors import PtmkgError
from ptmkg.kg import KG
from ptmkg.namespaces import CATALOG_GRAPH, PREFIXES
from ptmkg.queries import catalogue
from ptmkg.remote_dialects import DIALECTS, STANDARD, Dialect, from_server_header
from ptmkg.results import solutions_frame
from ptmkg.sparql_guard import check_services, operation
from ptmkg.store import GraphStore, bind

EMPTY_GRAPH = "urn:ptmkg:no-graph"  # a default graph of no graphs (``graphs=[]``), which no server holds


def with_prefixes(sparql: str) -> str:
    """The query with PREFIX lines for the project prefixes it does not declare (a server knows none)."""
    declared = {p.lower() for p in re.findall(r"(?i)\bPREFIX\s+([\w-]*):", sparql)}
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in declared) + sparql


@lru_cache(maxsize=1)
def _canned_names() -> dict[str, str]:
    """Canned query text → its name (to name a query in an error)."""
    return {q.sparql: q.name for q in catalogue()}


class RemoteKG(KG):
    """A read-only ptmkg graph behind a SPARQL query endpoint (``KG.remote(url)``)."""

    def __init__(self, url: str, *, auth: tuple[str, str] | None = None, timeout_s: float = 300.0,
                 engine: str | None = None):
        """``url``: the server's query endpoint; ``auth``: (user, password) for HTTP authentication;
        ``engine``: ``virtuoso`` or ``sparql`` (any other server), found from the server's ``Server``
        header when not given."""
        if engine is not None and engine not in DIALECTS:
            raise PtmkgError(f"unknown engine '{engine}'; use one of {', '.join(DIALECTS)}")
        self.url, self.auth, self.timeout_s = url, auth, timeout_s
        self._dialect = DIALECTS[engine] if engine else None
        self.path, self.read_only, self._store = None, True, None

    @property
    def dialect(self) -> Dialect:
        """What the server does differently from the embedded store (asked once: ``ASK {}``'s headers)."""
        if self._dialect is None:
            request = urllib.request.Request(f"{self.url}{'&' if '?' in self.url else '?'}query=ASK%7B%7D",
                                             headers={"Accept": "application/sparql-results+json"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    server = response.headers.get("Server")
            except urllib.error.HTTPError as e:
                server = e.headers.get("Server")
            except (urllib.error.URLError, OSError) as e:
                raise PtmkgError(f"cannot reach the SPARQL server at {self.url}: {getattr(e, 'reason', e)}") from None
            self._dialect = from_server_header(server)
        return self._dialect

    @property
    def oxigraph(self) -> ox.Store:
        """Not available: the graph lives on a server."""
        raise PtmkgError(f"the graph is on {self.url}: there is no embedded Oxigraph store")

    def _writable(self) -> None:
        raise PtmkgError(f"the graph on {self.url} is read through SPARQL only: load snapshots into the server itself")

    def _ptmkg_graphs(self) -> list[str]:
        """The catalog graph and every snapshot graph it records (the server's ptmkg graph)."""
        text = with_prefixes(f"SELECT ?g WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ ?g a ptmkg:Snapshot }} }}")
        rows = json.loads(self._send(text, "SELECT", (), ()))["results"]["bindings"]
        return [CATALOG_GRAPH, *sorted(row["g"]["value"] for row in rows)]

    def _send(self, text: str, form: str, default: Sequence[str], named: Sequence[str]) -> bytes:
        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED)
        client.setTimeout(int(self.timeout_s))
        if self.auth:
            client.setCredentials(*self.auth)
        for graph in default:
            client.addDefaultGraph(graph)
        for graph in named:
            client.addNamedGraph(graph)
        client.setQuery(text)
        client.queryType = form  # SPARQLWrapper guesses from words anywhere, comments included ("load" → LOAD)
        client.setReturnFormat(TURTLE if form in ("CONSTRUCT", "DESCRIBE") else JSON)
        try:
            return client.query().response.read()
        except SPARQLWrapperException as e:
            raise PtmkgError(f"the SPARQL server at {self.url} refused the query: {e}") from None
        except (urllib.error.URLError, OSError) as e:
            raise PtmkgError(f"cannot reach the SPARQL server at {self.url}: {getattr(e, 'reason', e)}") from None

    def query(self, sparql: str, *, graphs: Sequence[str] | None = None,
              **params: object) -> pl.DataFrame | bool | list[ox.Triple]:
        """As :meth:`KG.query`, sent to the server: SELECT → DataFrame, ASK → bool, CONSTRUCT/DESCRIBE → triples.

        On a server whose default graph holds more than the ptmkg graphs (Virtuoso's system graphs),
        the query's dataset is the catalog and snapshot graphs (``graphs``, if given, as the default graph).
        """
        check_services(sparql, self.allow_service)
        text = with_prefixes(bind(sparql, params))
        form = operation(text)
        if form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            raise PtmkgError(f"not a SPARQL query (it starts with {form or 'nothing'}); the server is only read")
        dialect = self.dialect
        sent = dialect.prepare(text, _canned_names().get(sparql))
        default, named = list(graphs or ()), []
        if dialect is not STANDARD:
            named = self._ptmkg_graphs()
            default = default if graphs is not None else named
            default = default or [EMPTY_GRAPH]
        body = self._send(sent, form, default, named)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, ox.RdfFormat.TURTLE)]
        repaired = json.dumps(dialect.repair(json.loads(body), text)).encode()
        result = ox.parse_query_results(repaired, ox.QueryResultsFormat.JSON)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        return solutions_frame(result)

    def __len__(self) -> int:
        return self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")["n"][0]


def _graph_store_session(url: str, auth: tuple[str, str] | None) -> tuple[str, requests.Session]:
    """The endpoint without credentials, and a session that authenticates as the server asks (Basic or Digest).

    Credentials come from ``auth`` or from the URL (``http://user:password@host/…``). A Digest server
    (Virtuoso's ``/sparql-graph-crud-auth``) is asked once with an empty request, so that each graph
    is sent once, with the nonce, not first refused and then sent again.
    """
    parts = urlsplit(url)
    if parts.username is not None:
        auth = auth or (unquote(parts.username), unquote(parts.password or ""))
        url = urlunsplit(parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")))
    session = requests.Session()
    if auth:
        probe = _request(session, "GET", url, CATALOG_GRAPH)
        scheme = probe.headers.get("WWW-Authenticate", "").split(" ")[0].lower()
        session.auth = HTTPDigestAuth(*auth) if scheme == "digest" else HTTPBasicAuth(*auth)
        if scheme == "digest":
            _request(session, "GET", url, CATALOG_GRAPH)
    return url, session


def _request(session: requests.Session, method: str, url: str, graph: str, path: Path | None = None
             ) -> requests.Response:
    target = f"{url}{'&' if '?' in url else '?'}graph={quote(graph, safe='')}"
    try:
        if path is None:
            return session.request(method, target, timeout=60)
        with path.open("rb") as body:
            return session.request(method, target, data=body, timeout=3600,
                                   headers={"Content-Type": "text/turtle", "Content-Length": str(path.stat().st_size)})
    except requests.RequestException as e:
        raise PtmkgError(f"cannot reach the graph store at {url}: {e}") from None


def _send_graph(session: requests.Session, url: str, method: str, graph: str, path: Path) -> None:
    """PUT (replace) or POST (merge) a Turtle file as ``graph`` at a Graph Store Protocol endpoint."""
    response = _request(session, method, url, graph, path)
    if response.status_code >= 300:
        raise PtmkgError(f"the graph store at {url} refused {graph}: HTTP {response.status_code} "
                         f"{response.content[:300]!r}")


def publish(store: GraphStore, url: str, snapshots: Sequence[str] | None = None, *,
            auth: tuple[str, str] | None = None) -> list[str]:
    """Put snapshot graphs (all by default) and their catalog records on a SPARQL 1.1 Graph Store endpoint.

    Each snapshot graph replaces the server's graph of the same IRI (PUT: publishing again changes
    nothing), and its PROV/VoID record is merged into the server's catalog graph (POST), so the
    server's ``snapshots()`` lists it. Graphs go out as Turtle files streamed from a temporary
    dump, never held in memory whole: Turtle writes integers bare (``684531386000``), which Virtuoso
    keeps as integers (as ``"…"^^xsd:integer`` it stores those past 32 bits as decimals).
    Virtuoso: ``http://dba:PASSWORD@HOST:8890/sparql-graph-crud-auth``. Returns the published graph IRIs.
    """
    graphs = list(snapshots) if snapshots is not None else list(store.snapshots()["graph"])
    url, session = _graph_store_session(url, auth)
    with tempfile.TemporaryDirectory(prefix="ptmkg-publish-") as tmp:
        for graph in graphs:
            data, meta = dump_snapshot(store, graph, Path(tmp))
            _send_graph(session, url, "PUT", graph, data)
            _send_graph(session, url, "POST", CATALOG_GRAPH, meta)
    return graphs


def dump_snapshot(store: GraphStore, graph: str, folder: Path) -> tuple[Path, Path]:
    """Write a snapshot graph and its catalog record as Turtle files in ``folder``: (graph file, record file)."""
    node, catalog = ox.NamedNode(graph), ox.NamedNode(CATALOG_GRAPH)
    record = [ox.Triple(q.subject, q.predicate, q.object)
              for q in store.oxigraph.quads_for_pattern(node, None, None, catalog)]
    if not record:
        raise PtmkgError(f"no snapshot {graph} in the store; 'ptmkg info' lists them")
    name = re.sub(r"\W+", "-", graph.removeprefix("https://w3id.org/ptmkg/graph/"))
    data, meta = folder / f"{name}.ttl", folder / f"{name}.record.ttl"
    store.oxigraph.dump(str(data), format=ox.RdfFormat.TURTLE, from_graph=node)
    ox.serialize(record, str(meta), format=ox.RdfFormat.TURTLE)
    return data, meta
