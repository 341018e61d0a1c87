"""The read-only SPARQL endpoint (``ptmkg serve``): protocol server, query workers, query page, canned-query API."""

from __future__ import annotations

LOOPBACK = "127.0.0.1"
"""The address ``ptmkg serve`` binds unless told otherwise."""


def __getattr__(name: str) -> object:
    # Lazy, so that ``python -m ptmkg.endpoint.worker`` loads no HTTP server code.
    if name in ("serve", "Settings"):
        from ptmkg.endpoint import server

        return getattr(server, name)
    raise AttributeError(name)
