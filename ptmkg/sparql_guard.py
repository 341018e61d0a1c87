"""What a SPARQL request may do here: SERVICE calls only to allow-listed endpoints, and no updates.

A query with ``SERVICE <iri> { … }`` makes the engine send an HTTP request to ``iri`` (also with
``SERVICE SILENT``): from a server, a request forgery hole. :func:`check_services` finds every
SERVICE target before the query runs — past comments, strings and IRIs, with prefixed names
expanded and ``\\uXXXX`` escapes undone as the SPARQL grammar does — and refuses any that is not on
the allowlist. A target it cannot name (a variable) is always refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import urljoin

from ptmkg.errors import PtmkgError
from ptmkg.namespaces import PREFIXES

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""(?P<skip>\#[^\n\r]*|'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
          |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
       |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
       |(?P<var>[?$]\w+)
       |(?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w\-.:]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*)
       |(?P<word>[^\W\d]\w*)
       |(?P<other>\S)""",
    re.VERBOSE | re.DOTALL,
)
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


class ServiceRefused(PtmkgError):
    """A SERVICE call to an endpoint that is not allow-listed."""


def _iter_tokens(sparql: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of each significant token in turn, comments and strings dropped."""
    if "\\u" in sparql or "\\U" in sparql:
        sparql = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), sparql)
    return ((m.lastgroup, m.group()) for m in _TOKEN.finditer(sparql) if m.lastgroup != "skip")


def _tokens(sparql: str) -> list[tuple[str, str]]:
    return list(_iter_tokens(sparql))


def service_targets(sparql: str, prefixes: Mapping[str, str] = PREFIXES) -> list[str | None]:
    """The IRI of every ``SERVICE`` in the query, in order; ``None`` where the target is not an IRI.

    ``prefixes`` are the engine's default prefixes (those ptmkg passes to Oxigraph); the query's own
    ``PREFIX`` and ``BASE`` declarations take precedence, as they do in the engine.
    """
    if "service" not in sparql.lower() and "\\u" not in sparql and "\\U" not in sparql:
        return []
    toks = _tokens(sparql)
    declared, base, found = dict(prefixes), "", []
    for i, (kind, text) in enumerate(toks):
        word = text.upper() if kind == "word" else ""
        nxt = toks[i + 1:i + 4]
        if word == "PREFIX" and len(nxt) >= 2 and nxt[0][0] == "pname" and nxt[1][0] == "iri":
            declared[nxt[0][1].rstrip(":")] = urljoin(base, nxt[1][1][1:-1])
        elif word == "BASE" and nxt and nxt[0][0] == "iri":
            base = urljoin(base, nxt[0][1][1:-1])
        elif word == "SERVICE":
            if nxt and nxt[0][0] == "word" and nxt[0][1].upper() == "SILENT":
                nxt = nxt[1:]
            found.append(_target(nxt[0] if nxt else ("other", ""), declared, base))
    return found


def _target(token: tuple[str, str], declared: Mapping[str, str], base: str) -> str | None:
    kind, text = token
    if kind == "iri":
        return urljoin(base, text[1:-1])
    if kind == "pname":
        prefix, _, local = text.rstrip(".").partition(":")
        if prefix in declared:
            return declared[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def check_services(sparql: str, allow: Iterable[str] = (), prefixes: Mapping[str, str] = PREFIXES) -> None:
    """Raise :class:`ServiceRefused` naming the first SERVICE target not in ``allow`` (exact IRIs)."""
    allowed = set(allow)
    for target in service_targets(sparql, prefixes):
        if target is None:
            raise ServiceRefused("SERVICE with a variable or unknown target is refused: name the endpoint's IRI, "
                                 "and allow it (ptmkg serve --allow-service IRI; KG.allow_service in Python)")
        if target not in allowed:
            raise ServiceRefused(f"SERVICE <{target}> is refused: this endpoint calls only allow-listed endpoints "
                                 f"(ptmkg serve --allow-service {target}; KG.allow_service in Python)")


def operation(sparql: str) -> str | None:
    """The keyword a request starts with after its prologue (SELECT, CONSTRUCT, INSERT, LOAD, …), upper-case."""
    skip = 0  # tokens of a BASE or PREFIX declaration still to pass
    for kind, text in _iter_tokens(sparql):  # lazily: the query's body is never tokenised
        if skip:
            skip -= 1
            continue
        word = text.upper() if kind == "word" else ""
        if word in ("BASE", "PREFIX"):
            skip = 1 if word == "BASE" else 2
        else:
            return word or None
    return None


def update_operation(sparql: str) -> str | None:
    """The update keyword (INSERT, DELETE, LOAD, …) a request starts with after its prologue, else ``None``."""
    word = operation(sparql)
    return word if word in UPDATE_KEYWORDS else None
