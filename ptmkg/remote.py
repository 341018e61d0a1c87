"""A ptmkg graph on a SPARQL server: the :class:`~ptmkg.kg.KG` query API over the SPARQL 1.1 Protocol.

``KG.remote(url)`` answers ``query``, canned queries by name, ``snapshots()`` and ``claims.run()``
from any SPARQL 1.1 endpoint holding ptmkg snapshots (one named graph each, the catalog graph, and a
union default graph). Results are parsed by Oxigraph's own result parsers and converted exactly as
the embedded store's are, so the DataFrames have the same dtypes. The server is only read;
:func:`publish` puts snapshots there by the SPARQL 1.1 Graph Store HTTP Protocol.
"""

from __future__ import annotations

import re
import tempfile
import urllib.error
import urllib.request
from base64 import b64encode
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

import polars as pl
import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ptmkg.errors import PtmkgError
from ptmkg.kg import KG
from ptmkg.namespaces import CATALOG_GRAPH, PREFIXES
from ptmkg.results import solutions_frame
from ptmkg.sparql_guard import check_services, operation
from ptmkg.store import GraphStore, bind


def with_prefixes(sparql: str) -> str:
    """The query with PREFIX lines for the project prefixes it does not declare (a server knows none)."""
    declared = {p.lower() for p in re.findall(r"(?i)\bPREFIX\s+([\w-]*):", sparql)}
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in declared) + sparql


class RemoteKG(KG):
    """A read-only ptmkg graph behind a SPARQL query endpoint (``KG.remote(url)``)."""

    def __init__(self, url: str, *, auth: tuple[str, str] | None = None, timeout_s: float = 300.0):
        """``url``: the server's query endpoint; ``auth``: (user, password) for HTTP authentication."""
        self.url, self.auth, self.timeout_s = url, auth, timeout_s
        self.path, self.read_only, self._store = None, True, None

    @property
    def oxigraph(self) -> ox.Store:
        """Not available: the graph lives on a server."""
        raise PtmkgError(f"the graph is on {self.url}: there is no embedded Oxigraph store")

    def _writable(self) -> None:
        raise PtmkgError(f"the graph on {self.url} is read through SPARQL only: load snapshots into the server itself")

    def query(self, sparql: str, *, graphs: Sequence[str] | None = None,
              **params: object) -> pl.DataFrame | bool | list[ox.Triple]:
        """As :meth:`KG.query`, sent to the server: SELECT → DataFrame, ASK → bool, CONSTRUCT/DESCRIBE → triples."""
        check_services(sparql, self.allow_service)
        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED)
        client.setTimeout(int(self.timeout_s))
        if self.auth:
            client.setCredentials(*self.auth)
        for graph in graphs or ():
            client.addDefaultGraph(graph)
        text = with_prefixes(bind(sparql, params))
        form = operation(text)
        if form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            raise PtmkgError(f"not a SPARQL query (it starts with {form or 'nothing'}); the server is only read")
        client.setQuery(text)
        client.queryType = form  # SPARQLWrapper guesses from words anywhere, comments included ("load" → LOAD)
        graph_result = form in ("CONSTRUCT", "DESCRIBE")
        client.setReturnFormat(TURTLE if graph_result else JSON)
        try:
            body = client.query().response.read()
        except SPARQLWrapperException as e:
            raise PtmkgError(f"the SPARQL server at {self.url} refused the query: {e}") from None
        except (urllib.error.URLError, OSError) as e:
            raise PtmkgError(f"cannot reach the SPARQL server at {self.url}: {getattr(e, 'reason', e)}") from None
        if graph_result:
            return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, ox.RdfFormat.TURTLE)]
        result = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        return solutions_frame(result)

    def __len__(self) -> int:
        return self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")["n"][0]


def _send_graph(url: str, method: str, graph: str, path: Path, auth: tuple[str, str] | None) -> None:
    """PUT (replace) or POST (merge) an N-Triples file as ``graph`` at a Graph Store Protocol endpoint."""
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(path.stat().st_size)}
    if auth:
        headers["Authorization"] = "Basic " + b64encode(":".join(auth).encode()).decode()
    target = f"{url}{'&' if '?' in url else '?'}graph={quote(graph, safe='')}"
    with path.open("rb") as body:
        req = urllib.request.Request(target, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=3600):
                pass
        except urllib.error.HTTPError as e:
            raise PtmkgError(f"the graph store at {url} refused {graph}: HTTP {e.code} {e.read()[:300]!r}") from None
        except (urllib.error.URLError, OSError) as e:
            raise PtmkgError(f"cannot reach the graph store at {url}: {getattr(e, 'reason', e)}") from None


def publish(store: GraphStore, url: str, snapshots: Sequence[str] | None = None, *,
            auth: tuple[str, str] | None = None) -> list[str]:
    """Put snapshot graphs (all by default) and their catalog records on a SPARQL 1.1 Graph Store endpoint.

    Each snapshot graph replaces the server's graph of the same IRI (PUT: publishing again changes
    nothing), and its PROV/VoID record is merged into the server's catalog graph (POST), so the
    server's ``snapshots()`` lists it. Graphs go out as N-Triples files streamed from a temporary
    dump, never held in memory whole. Returns the published graph IRIs.
    """
    graphs = list(snapshots) if snapshots is not None else list(store.snapshots()["graph"])
    catalog = ox.NamedNode(CATALOG_GRAPH)
    with tempfile.TemporaryDirectory(prefix="ptmkg-publish-") as tmp:
        for graph in graphs:
            node = ox.NamedNode(graph)
            record = [ox.Triple(q.subject, q.predicate, q.object)
                      for q in store.oxigraph.quads_for_pattern(node, None, None, catalog)]
            if not record:
                raise PtmkgError(f"no snapshot {graph} in the store; 'ptmkg info' lists them")
            data, meta = Path(tmp) / "graph.nt", Path(tmp) / "record.nt"
            store.oxigraph.dump(str(data), format=ox.RdfFormat.N_TRIPLES, from_graph=node)
            ox.serialize(record, str(meta), format=ox.RdfFormat.N_TRIPLES)
            _send_graph(url, "PUT", graph, data, auth)
            _send_graph(url, "POST", CATALOG_GRAPH, meta, auth)
    return graphs
