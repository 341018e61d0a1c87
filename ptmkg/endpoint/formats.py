"""Content negotiation: which serialisation answers a request, by result kind and ``Accept`` header."""

from __future__ import annotations

import pyoxigraph as ox

RESULTS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPHS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}


def _accepted(accept: str) -> list[tuple[float, int, str]]:
    """Media ranges of an Accept header as (q, -position, range), best first."""
    ranges = []
    for pos, part in enumerate(p for p in accept.split(",") if p.strip()):
        media, *params = (x.strip() for x in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((q, -pos, media.lower()))
    return sorted(ranges, reverse=True)


def negotiate(accept: str | None, offers: dict[str, object]) -> str | None:
    """The offered media type that ``accept`` prefers (the first offer for none or ``*/*``); None if none fits."""
    if not accept:
        return next(iter(offers))
    for _, _, media in _accepted(accept):
        if media in offers:
            return media
        if media == "*/*":
            return next(iter(offers))
        if media.endswith("/*"):
            match = next((o for o in offers if o.startswith(media[:-1])), None)
            if match:
                return match
    return None


def content_type(media: str) -> str:
    """The Content-Type header value for a media type (text types say UTF-8)."""
    return f"{media}; charset=utf-8" if media.startswith("text/") or media.endswith("json") else media
