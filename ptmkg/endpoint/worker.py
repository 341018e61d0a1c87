"""Query workers: processes that each hold the store open read-only and answer one query at a time.

A query that outlives its time limit cannot be cancelled inside pyoxigraph, so it runs in a worker
process that is killed (and replaced) when the limit passes. Workers die with the server
(``PR_SET_PDEATHSIG``), so no orphan keeps the store open. The parent and a worker exchange
length-prefixed pickles over the worker's stdin/stdout.
"""

from __future__ import annotations

import ctypes
import io
import os
import pickle
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import pyoxigraph as ox

from ptmkg.endpoint.formats import GRAPHS, RESULTS, content_type, negotiate
from ptmkg.namespaces import PREFIXES

_HEADER = struct.Struct("!Q")
Reply = tuple[int, str, bytes]


@dataclass(frozen=True)
class Request:
    """One query to answer: text, Accept header, dataset (None: the union of all graphs) and size cap."""

    query: str
    accept: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_bytes: int = 100 << 20


class ResultTooLarge(Exception):
    """The serialised result passed the size cap."""


class _Capped(io.RawIOBase):
    """A bytes buffer that refuses to grow past ``limit``."""

    def __init__(self, limit: int):
        self.buffer, self.limit = bytearray(), limit

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        if len(self.buffer) + len(data) > self.limit:
            raise ResultTooLarge
        self.buffer += data
        return len(data)


def text_reply(status: int, message: str) -> Reply:
    """A plain-text reply: an error status and a message a client can read."""
    return status, "text/plain; charset=utf-8", (message + "\n").encode()


def answer(store: ox.Store, req: Request) -> Reply:
    """Run ``req`` on ``store`` and serialise the result in the negotiated format (or an error reply)."""
    scope: dict[str, object] = {"use_default_graph_as_union": True}
    if req.default_graphs is not None:
        scope = {"default_graph": [ox.NamedNode(g) for g in req.default_graphs] or [ox.DefaultGraph()]}
    try:
        if req.named_graphs is not None:
            scope["named_graphs"] = [ox.NamedNode(g) for g in req.named_graphs]
        result = store.query(req.query, prefixes=PREFIXES, **scope)
    except SyntaxError as e:
        return text_reply(400, f"SPARQL syntax error: {e}")
    except ValueError as e:
        return text_reply(400, f"bad dataset IRI: {e}")
    offers = GRAPHS if isinstance(result, ox.QueryTriples) else RESULTS
    media = negotiate(req.accept, offers)
    if media is None:
        return text_reply(406, f"none of the accepted types ({req.accept}) fits this result; "
                          f"it can be sent as {', '.join(offers)}")
    out = _Capped(req.max_bytes)
    try:
        if offers is GRAPHS:
            ox.serialize(result, out, GRAPHS[media], prefixes=PREFIXES if media == "text/turtle" else None)
        else:
            result.serialize(out, RESULTS[media])
    except ResultTooLarge:
        return text_reply(422, f"the result is larger than this endpoint's cap of {req.max_bytes / (1 << 20):g} MB; "
                          "add a LIMIT or ask the operator to raise --max-result-mb")
    except (OSError, RuntimeError) as e:
        return text_reply(500, f"query evaluation failed: {e}")
    return 200, content_type(media), bytes(out.buffer)


def _send(stream: io.RawIOBase, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exactly(stream: io.RawIOBase, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _receive(stream: io.RawIOBase) -> object | None:
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    body = _read_exactly(stream, _HEADER.unpack(header)[0])
    return None if body is None else pickle.loads(body)


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies; exit now if it already has."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(0)


def main(argv: list[str]) -> None:
    """Worker process: ``python -m ptmkg.endpoint.worker STORE PARENT_PID``."""
    store_path, parent = argv[0], int(argv[1])
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops us
    channel_in, channel_out = io.FileIO(0, "r", closefd=False), io.FileIO(os.dup(1), "w")
    os.dup2(2, 1)  # nothing printed may corrupt the channel
    try:
        store = ox.Store.read_only(store_path)
    except OSError as e:
        _send(channel_out, ("error", str(e)))
        return
    _send(channel_out, ("ready", os.getpid()))
    while (req := _receive(channel_in)) is not None:
        _send(channel_out, answer(store, req))


class WorkerFailed(Exception):
    """A worker died or could not open the store."""


class WorkerGone(WorkerFailed):
    """A worker had died before it was sent the query (which can go to another one)."""


class Worker:
    """One worker process and its channel."""

    def __init__(self, store: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "ptmkg.endpoint.worker", store, str(os.getpid())],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)

    def wait_ready(self, timeout: float) -> None:
        """Wait for the worker to have opened the store."""
        reply = self._reply(timeout)
        if not (isinstance(reply, tuple) and reply[0] == "ready"):
            self.kill()
            raise WorkerFailed(f"the query worker could not open the store: {reply[1] if reply else 'it exited'}")

    def _reply(self, timeout: float) -> object | None:
        ready, _, _ = select.select([self.proc.stdout], [], [], max(timeout, 0))
        if not ready:
            raise TimeoutError
        return _receive(self.proc.stdout)

    def call(self, req: Request, timeout: float) -> Reply:
        """Send ``req`` and wait for the reply; TimeoutError after ``timeout`` s, WorkerFailed if it died."""
        try:
            _send(self.proc.stdin, req)
        except OSError as e:
            raise WorkerGone(str(e)) from None
        reply = self._reply(timeout)
        if reply is None:
            raise WorkerFailed(f"the query worker exited with status {self.proc.wait()}")
        return reply

    def kill(self) -> None:
        """Stop the process at once and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            stream.close()


class WorkerPool:
    """``size`` workers over one store; a query waits for a free worker within its time limit.

    Every worker is started by one thread that lives as long as the pool: Linux sends the
    parent-death signal when the *thread* that started a child ends, so workers started by a
    short-lived thread (a request's, or a notebook's) would die with it.
    """

    def __init__(self, store: str, size: int, startup_s: float = 60.0):
        self.store, self.startup_s, self.closed, self.serving = store, startup_s, False, False
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.all: set[Worker] = set()
        self.lock = threading.Lock()
        self.wanted: queue.Queue[int | None] = queue.Queue()
        self.failed: queue.Queue[Exception] = queue.Queue()
        threading.Thread(target=self._starter, daemon=True, name="ptmkg-worker-starter").start()
        self.wanted.put(size)
        deadline = time.monotonic() + startup_s
        while self.idle.qsize() < size:
            try:
                error = self.failed.get(timeout=max(0.0, min(0.05, deadline - time.monotonic())))
            except queue.Empty:
                if time.monotonic() < deadline:
                    continue
                error = TimeoutError(f"the query workers did not open the store within {startup_s:g} s")
            self.close()
            raise error
        self.serving = True

    def _starter(self) -> None:
        """Start the workers asked for (all at once), and put each on the idle queue once it is ready."""
        while (n := self.wanted.get()) is not None:
            while not self.wanted.empty() and (more := self.wanted.get_nowait()) is not None:
                n += more
            if self.closed:
                return
            workers = [Worker(self.store) for _ in range(n)]
            with self.lock:
                self.all.update(workers)
            for w in workers:
                try:
                    w.wait_ready(self.startup_s)
                except (WorkerFailed, TimeoutError) as e:
                    w.kill()
                    with self.lock:
                        self.all.discard(w)
                    self.failed.put(e if str(e) else TimeoutError("a query worker did not open the store in time"))
                    if self.serving:  # a replacement that failed: try again (a startup failure stops the pool)
                        time.sleep(1.0)
                        self.wanted.put(1)
                    continue
                self.idle.put(w)

    def _replace(self, dead: Worker) -> None:
        """Kill ``dead`` and have its replacement started."""
        dead.kill()
        with self.lock:
            self.all.discard(dead)
        self.wanted.put(1)

    def run(self, req: Request, timeout: float) -> Reply:
        """Answer ``req`` within ``timeout`` seconds, or an error reply saying why not."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                w = self.idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return text_reply(503, f"every query worker stayed busy for the whole {timeout:g} s limit; "
                                       "retry later")
            try:
                reply = w.call(req, deadline - time.monotonic())
            except WorkerGone:  # it died while idle (killed from outside): the query never ran, try another
                self._replace(w)
                continue
            except TimeoutError:
                self._replace(w)
                return text_reply(503, f"the query ran past this endpoint's {timeout:g} s limit and was stopped; "
                                       "narrow it (LIMIT, more specific patterns) or ask the operator to raise "
                                       "--timeout")
            except WorkerFailed as e:
                self._replace(w)
                return text_reply(500, f"the query worker failed ({e}); the query was not answered")
            self.idle.put(w)
            return reply

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self.lock:
            return [w.proc.pid for w in self.all]

    def close(self) -> None:
        """Stop every worker."""
        self.closed = True
        self.wanted.put(None)
        with self.lock:
            workers, self.all = list(self.all), set()
        for w in workers:
            w.kill()


if __name__ == "__main__":
    main(sys.argv[1:])
