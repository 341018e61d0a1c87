"""What the endpoint says about itself: SPARQL service description, VoID/DCAT, OpenAPI, and the query page's examples."""

from __future__ import annotations

import json
import re
import textwrap

import pyoxigraph as ox

from ptmkg import __version__
from ptmkg.endpoint.formats import GRAPHS, RESULTS
from ptmkg.namespaces import CATALOG_GRAPH, DCAT, DCT, PREFIXES, PTMKG, RDF_TYPE, VOID
from ptmkg.queries import CannedQuery, Catalogue
from ptmkg.sparql_guard import operation
from ptmkg.store import bind
from ptmkg.teaching.exercises import Exercise, exercises

SD = "http://www.w3.org/ns/sparql-service-description#"
SOLUTIONS = "teaching/solutions/"
ALIASES = {"application/json", "application/xml", "text/plain"}  # accepted, but not advertised
_FORMAT_IRIS = {
    "application/sparql-results+json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "application/sparql-results+xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "text/csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "text/tab-separated-values": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
}


def service_description(base: str) -> list[ox.Triple]:
    """The SPARQL 1.1 service description of the endpoint at ``base``/query."""
    service, dataset = ox.NamedNode(f"{base}/query"), ox.NamedNode(f"{base}/.well-known/void#ptmkg")
    facts = [(RDF_TYPE, ox.NamedNode(SD + "Service")), (SD + "endpoint", service),
             (SD + "supportedLanguage", ox.NamedNode(SD + "SPARQL11Query")),
             (SD + "feature", ox.NamedNode(SD + "UnionDefaultGraph")),
             (SD + "defaultDataset", dataset)]
    facts += [(SD + "resultFormat", ox.NamedNode(iri)) for iri in dict.fromkeys(_FORMAT_IRIS.values())]
    triples = [ox.Triple(service, ox.NamedNode(p), o) for p, o in facts]
    triples += [ox.Triple(dataset, ox.NamedNode(RDF_TYPE), ox.NamedNode(SD + "Dataset")),
                ox.Triple(dataset, ox.NamedNode(VOID + "sparqlEndpoint"), service)]
    return triples


def void_query(base: str) -> str:
    """CONSTRUCT of the VoID/DCAT description: the whole graph and every snapshot's catalog record."""
    me, endpoint = f"<{base}/.well-known/void#ptmkg>", f"<{base}/query>"
    return f"""CONSTRUCT {{
  {me} a <{VOID}Dataset>, <{DCAT}Dataset> ; <{DCT}title> "ptmkg knowledge graph" ;
       <{VOID}sparqlEndpoint> {endpoint} ; <{DCAT}distribution> {endpoint} ; <{VOID}subset> ?g .
  {endpoint} a <{DCAT}DataService> ; <{DCAT}endpointURL> {endpoint} ; <{DCAT}servesDataset> {me} .
  ?g ?p ?o .
}} WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ ?g a <{PTMKG}Snapshot> ; ?p ?o }} }}"""


def _used_prefixes(sparql: str) -> str:
    """PREFIX lines for the project prefixes a query uses without declaring them."""
    declared = set(re.findall(r"(?i)PREFIX\s+([\w-]*):", sparql))
    used = set(re.findall(r"(?<![\w?$<])([A-Za-z][\w-]*):", sparql))
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in PREFIXES if p in used - declared)


def example_text(query: CannedQuery) -> str:
    """A canned query as a runnable example: its summary, the prefixes it uses, defaults bound."""
    body = "\n".join(ln for ln in query.sparql.splitlines() if not ln.startswith("#+"))
    defaults = {k: query.defaults[k] for k in query.parameters if k in query.defaults}
    body = bind(body, defaults) if defaults else body
    return f"# {query.name}: {query.summary}\n{_used_prefixes(body)}{body.strip()}\n"


def example_order(query: CannedQuery) -> tuple[str, str]:
    """Top-level queries first, then one folder after another (claims, fairjupyter, teaching/solutions)."""
    return query.name.rpartition("/")[0], query.name


def exercise_text(exercise: Exercise, prefixes: str) -> str:
    """A course exercise as a starting point: its task as comments above the prefixes and an empty query."""
    task = textwrap.fill(" ".join(exercise.task.split()), 96, initial_indent="# ", subsequent_indent="# ")
    return (f"# Exercise {exercise.number} (level {exercise.level}, {exercise.level_name}): {exercise.title}\n"
            f"{task}\n# Hints: ptmkg teach show {exercise.number} --hints 1; "
            f"check an answer: ptmkg teach check {exercise.number} answer.rq\n{prefixes}\nSELECT * WHERE {{\n\n}}\n")


def page_config(catalogue: Catalogue) -> str:
    """The query page's configuration as JSON (safe inside a <script> element).

    Examples are the canned queries (run on a click) and the course's exercises (task only: the
    reference solutions stay off the page, though ``/api`` serves them as canned queries).
    """
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    examples = [{"name": q.name, "summary": q.summary, "parameters": q.parameters, "query": example_text(q),
                 "run": True}
                for q in sorted(catalogue, key=example_order) if not q.name.startswith(SOLUTIONS)]
    examples += [{"name": f"exercises/{e.id}", "summary": f"{e.title} (level {e.level})", "parameters": [],
                  "query": exercise_text(e, prefixes), "run": False} for e in exercises()]
    start = prefixes + "\nSELECT ?id ?downloads WHERE {\n  ?model ptmkg:hubId ?id ; ptmkg:downloads ?downloads .\n}" \
                       "\nORDER BY DESC(?downloads)\nLIMIT 10\n"
    config = {"prefixes": PREFIXES, "start": start, "examples": examples, "version": __version__}
    return json.dumps(config).replace("</", "<\\/")


def openapi(catalogue: Catalogue, base: str) -> dict[str, object]:
    """OpenAPI 3 description of ``/api/NAME`` for every canned query (grlc's convention)."""
    paths: dict[str, object] = {}
    for q in catalogue:
        graph = operation(q.sparql) in ("CONSTRUCT", "DESCRIBE")
        params = []
        for name in q.parameters:
            default = q.defaults.get(name)
            schema: dict[str, object] = {"type": "integer" if isinstance(default, int) else "string"}
            if default is not None:
                schema["default"] = default
            params.append({"name": name, "in": "query", "required": default is None, "schema": schema})
        paths[f"/api/{q.name}"] = {"get": {
            "operationId": q.name.replace("/", "_"),
            "summary": q.summary,
            "description": q.description or q.summary,
            "tags": list(q.tags),
            "parameters": params,
            "responses": {"200": {"description": ("RDF triples" if graph else "SPARQL results (columns: "
                                                  + (", ".join(q.columns) or "see the query") + ")"),
                                  "content": {m: {} for m in (GRAPHS if graph else RESULTS) if m not in ALIASES}},
                          "400": {"description": "unknown or missing parameter"},
                          "503": {"description": "the query ran past the time limit"}},
        }}
    return {"openapi": "3.0.3",
            "info": {"title": "ptmkg canned queries", "version": __version__,
                     "description": "Each canned query of the ptmkg catalogue, with its parameters."},
            "servers": [{"url": base}], "paths": paths}

