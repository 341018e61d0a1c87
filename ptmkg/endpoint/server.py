"""The read-only SPARQL endpoint: a threaded HTTP server in front of killable query workers.

Routes: ``/query`` (SPARQL 1.1 Protocol: GET, POST form, POST direct; GET without a query gives the
service description), ``/update`` (always refused), ``/`` (the YASGUI query page, assets shipped
in the package), ``/api/NAME`` (canned queries, grlc's convention) with ``/api/openapi.json``, and
``/.well-known/void`` (VoID/DCAT of every snapshot). Every query is checked before it runs:
updates are refused, SERVICE only reaches allow-listed endpoints, and it answers within the time
limit and size cap or with an error status and a readable message.
"""

from __future__ import annotations

import ipaddress
import json
import signal
import sys
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox

from ptmkg.endpoint import LOOPBACK
from ptmkg.endpoint.cache import ReplyCache
from ptmkg.endpoint.describe import openapi, page_config, service_description, void_query
from ptmkg.endpoint.formats import GRAPHS, content_type, negotiate
from ptmkg.endpoint.worker import Reply, Request, WorkerFailed, WorkerPool, text_reply
from ptmkg.errors import PtmkgError
from ptmkg.namespaces import PREFIXES
from ptmkg.queries import catalogue
from ptmkg.sparql_guard import ServiceRefused, check_services, update_operation
from ptmkg.store import bind

ASSETS = Path(__file__).parent / "assets"
STATIC = {"yasgui.min.js": "application/javascript", "yasgui.min.css": "text/css; charset=utf-8",
          "page.js": "application/javascript", "page.css": "text/css; charset=utf-8",
          "LICENSE-yasgui.txt": "text/plain; charset=utf-8"}
MAX_REQUEST_BYTES = 1 << 20


@dataclass(frozen=True)
class Settings:
    """How ``ptmkg serve`` runs; every limit has a command-line option."""

    store: Path
    host: str = LOOPBACK
    port: int = 7878
    cors: bool = False
    timeout_s: float = 30.0
    max_result_mb: float = 100.0
    allow_service: tuple[str, ...] = ()
    workers: int = 4
    cache_mb: float = 64.0

    def __post_init__(self) -> None:
        for name in ("timeout_s", "max_result_mb", "workers"):
            if getattr(self, name) <= 0:
                raise PtmkgError(f"--{name.removesuffix('_s').replace('_', '-')} must be positive, "
                                 f"not {getattr(self, name)}")
        if self.cache_mb < 0:
            raise PtmkgError(f"--cache-mb must be 0 (no cache) or more, not {self.cache_mb}")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class Endpoint:
    """What the request handlers share: settings, the worker pool, the catalogue and the page."""

    def __init__(self, settings: Settings):
        if not (settings.store / "CURRENT").exists():
            raise PtmkgError(f"no store at {settings.store}; run 'ptmkg build' first")
        self.settings = settings
        self.catalogue = catalogue()
        page = (ASSETS / "index.html").read_text(encoding="utf-8")
        self.page = page.replace("__PTMKG_CONFIG__", page_config(self.catalogue)).encode()
        self.static = {name: (ASSETS / name).read_bytes() for name in STATIC}
        self.cache = ReplyCache(int(settings.cache_mb * (1 << 20)))
        try:
            self.pool = WorkerPool(str(settings.store), settings.workers)
        except (WorkerFailed, TimeoutError) as e:
            raise PtmkgError(str(e)) from None

    def run(self, query: str, accept: str | None, default_graphs: tuple[str, ...] | None = None,
            named_graphs: tuple[str, ...] | None = None) -> Reply:
        """Check and answer one query."""
        verb = update_operation(query)
        if verb:
            return text_reply(403, f"this endpoint is read-only: {verb} and every other update is refused; "
                              "the store is unchanged")
        try:
            check_services(query, self.settings.allow_service)
        except ServiceRefused as e:
            return text_reply(403, str(e))
        req = Request(query, accept, default_graphs, named_graphs, int(self.settings.max_result_mb * (1 << 20)))
        cached = self.cache.get(req)
        if cached is not None:
            return cached
        reply = self.pool.run(req, self.settings.timeout_s)
        if reply[0] >= 500:  # a worker was replaced: it opens the store anew and may see a newer state
            self.cache.clear()
        else:
            self.cache.put(req, reply)
        return reply

    def api(self, name: str, args: dict[str, list[str]], accept: str | None) -> Reply:
        """A canned query by name, its parameters from the query string (``/api/NAME?param=value``)."""
        query = self.catalogue.queries.get(name)
        if query is None:
            return text_reply(404, f"no canned query '{name}'; the list is at /api/openapi.json")
        unknown = sorted(set(args) - set(query.parameters))
        if unknown:
            return text_reply(400, f"query '{name}' has no parameter {', '.join(unknown)}; "
                              f"it takes: {', '.join(query.parameters) or 'none'}")
        given = {k: int(v[-1]) if v[-1].lstrip("-").isdigit() else v[-1] for k, v in args.items()}
        values = {**query.defaults, **given}
        missing = [p for p in query.parameters if p not in values]
        if missing:
            return text_reply(400, f"query '{name}' needs the parameter {missing[0]} (?{missing[0]}=VALUE)")
        try:
            text = bind(query.sparql, {k: values[k] for k in query.parameters})
        except PtmkgError as e:
            return text_reply(400, str(e))
        return self.run(text, accept)

    def close(self) -> None:
        """Stop the workers."""
        self.pool.close()


class Handler(BaseHTTPRequestHandler):
    """One HTTP connection (kept alive across requests)."""

    protocol_version = "HTTP/1.1"
    server_version = "ptmkg"
    disable_nagle_algorithm = True
    endpoint: Endpoint

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are not logged one by one."""

    def _send(self, reply: Reply, cache: bool = False) -> None:
        status, ctype, body = reply
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        if cache:
            self.send_header("Cache-Control", "max-age=3600")
        if self.endpoint.settings.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        # Headers and body in one write: two small writes meet Nagle and delayed ACKs (44 ms a request).
        self._headers_buffer.append(b"\r\n" + (b"" if self.command == "HEAD" else body))
        self.flush_headers()

    def _base(self) -> str:
        return f"http://{self.headers.get('Host') or f'{self.server.server_address[0]}:{self.server.server_address[1]}'}"

    def _body(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            self._send(text_reply(413, f"the request is larger than {MAX_REQUEST_BYTES >> 20} MB"))
            return None
        return self.rfile.read(length)

    def do_OPTIONS(self) -> None:
        """CORS preflight (answered only with --cors)."""
        if not self.endpoint.settings.cors:
            self._send(text_reply(405, "cross-origin requests are not enabled on this endpoint (ptmkg serve --cors)"))
            return
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        """As GET, without the body."""
        self.do_GET()

    def do_GET(self) -> None:
        """Page, assets, queries, API and descriptions."""
        url = urlsplit(self.path)
        path, args = url.path, parse_qs(url.query, keep_blank_values=True)
        if path in ("/query", "/sparql"):
            self._query(args)
        elif path == "/":
            self._send((200, "text/html; charset=utf-8", self.endpoint.page))
        elif path.startswith("/assets/") and path[8:] in STATIC:
            self._send((200, STATIC[path[8:]], self.endpoint.static[path[8:]]), cache=True)
        elif path == "/api/openapi.json":
            spec = openapi(self.endpoint.catalogue, self._base())
            self._send((200, "application/json", json.dumps(spec, indent=1).encode()))
        elif path.startswith("/api/"):
            self._send(self.endpoint.api(unquote(path[5:]), args, self.headers.get("Accept")))
        elif path == "/.well-known/void":
            self._send(self.endpoint.run(void_query(self._base()), self.headers.get("Accept")))
        elif path == "/update":
            self._refuse_update()
        else:
            self._send(text_reply(404, f"nothing at {path}; the SPARQL endpoint is /query, the query page /"))

    def do_POST(self) -> None:
        """SPARQL 1.1 Protocol: form-encoded or direct queries."""
        url = urlsplit(self.path)
        body = self._body()
        if body is None:
            return
        if url.path == "/update":
            self._refuse_update()
            return
        if url.path not in ("/query", "/sparql"):
            self._send(text_reply(404, f"nothing to POST at {url.path}; the SPARQL endpoint is /query"))
            return
        args = parse_qs(url.query, keep_blank_values=True)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == "application/x-www-form-urlencoded":
            args.update(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
        elif ctype == "application/sparql-query":
            args["query"] = [body.decode("utf-8", "replace")]
        elif ctype == "application/sparql-update":
            self._refuse_update()
            return
        else:
            self._send(text_reply(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded"))
            return
        self._query(args)

    def _refuse_update(self) -> None:
        self._send(text_reply(403, "this endpoint is read-only: updates are refused; the store is unchanged"))

    def _query(self, args: dict[str, list[str]]) -> None:
        if "update" in args:
            self._refuse_update()
            return
        queries = args.get("query", [])
        if not queries:
            self._describe()
            return
        if len(queries) > 1:
            self._send(text_reply(400, "give exactly one query parameter"))
            return
        default = tuple(args["default-graph-uri"]) if "default-graph-uri" in args else None
        named = tuple(args["named-graph-uri"]) if "named-graph-uri" in args else None
        self._send(self.endpoint.run(queries[0], self.headers.get("Accept"), default, named))

    def _describe(self) -> None:
        """The service description (a browser asking for HTML goes to the query page)."""
        accept = self.headers.get("Accept")
        if accept and "text/html" in accept:
            self.send_response(303)
            self.send_header("Location", "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        media = negotiate(accept, GRAPHS)
        if media is None:
            self._send(text_reply(406, f"the service description can be sent as {', '.join(GRAPHS)}"))
            return
        body = ox.serialize(service_description(self._base()), format=GRAPHS[media],
                            prefixes={"sd": "http://www.w3.org/ns/sparql-service-description#", **PREFIXES}
                            if media == "text/turtle" else None)
        self._send((200, content_type(media), body))


class _Stop(BaseException):
    """SIGTERM or SIGINT: stop serving (a BaseException, as socketserver logs and swallows an Exception)."""


class _HTTPServer(ThreadingHTTPServer):
    """One thread per connection; a client hanging up is not an error worth a traceback."""

    daemon_threads = True
    block_on_close = False  # stopping does not wait for kept-alive connections (a browser's) to close
    request_queue_size = 128

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def make_server(settings: Settings) -> tuple[_HTTPServer, Endpoint]:
    """The bound HTTP server and its endpoint (workers started); the caller closes both."""
    endpoint = Endpoint(settings)
    handler = type("BoundHandler", (Handler,), {"endpoint": endpoint})
    try:
        server = _HTTPServer((settings.host, settings.port), handler)
    except OSError as e:
        endpoint.close()
        raise PtmkgError(f"cannot listen on {settings.host}:{settings.port}: {e.strerror or e}") from None
    return server, endpoint


def banner(settings: Settings, host: str, port: int) -> str:
    """What ``ptmkg serve`` prints on start: where it listens, its limits, and a warning off loopback."""
    services = ", ".join(settings.allow_service) or "none"
    text = (f"SPARQL endpoint (read-only) at http://{host}:{port}/query, query page at http://{host}:{port}/ "
            f"(timeout {settings.timeout_s:g} s, cap {settings.max_result_mb:g} MB, answer cache {settings.cache_mb:g} MB, "
            f"SERVICE allowed: {services}, "
            f"CORS {'on' if settings.cors else 'off'}; Ctrl-C stops)")
    if not is_loopback(settings.host):
        text = (f"\nWARNING: ptmkg serve listens on {host}:{port}, which is NOT loopback: anyone who can reach this "
                f"port can run queries (read-only, at most {settings.timeout_s:g} s and {settings.max_result_mb:g} MB "
                "each). Use the default --host 127.0.0.1 unless you mean to publish the endpoint.\n\n" + text)
    return text


def serve(settings: Settings) -> int:
    """Serve until SIGTERM or SIGINT; then stop the workers and free the port. Returns 0."""
    server, endpoint = make_server(settings)
    print(banner(settings, *server.server_address[:2]), file=sys.stderr, flush=True)

    def stop(signum: int, frame: object) -> None:
        raise _Stop

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.serve_forever()
    except _Stop:
        pass
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        server.server_close()
        endpoint.close()
        print("ptmkg serve: stopped", file=sys.stderr)
    return 0
