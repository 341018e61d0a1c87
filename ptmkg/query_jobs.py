"""Queries with a time limit or a row cap, each in a process that can be killed (``KG.start_query``).

pyoxigraph cannot stop a query once it runs, so a limited query runs outside the caller's process:

- **on-disk store**: in a worker process (``python -m ptmkg.query_jobs STORE PID``, built on the
  endpoint's workers) that opens the store read-only and so sees what is committed, also while this
  process holds the store for writing. One idle worker per store is kept and reused while the store's
  files are unchanged (any write changes them); a killed worker is replaced in the background.
- **in-memory store**: in a child forked at the call. Copy-on-write, it sees the store as it was at that
  moment without copying it (fork measured at 40-50 ms beside a 670 MB store of 500k quads).

The process writes the result as TSV (solutions) or N-Triples (triples), one line per row, and stops
at ``max_rows + 1`` rows: a result over the cap is never held whole, by it or by the caller. The caller
parses it back with Oxigraph's parsers and converts it as an in-process query is converted.
"""

from __future__ import annotations

import io
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import pyoxigraph as ox

from ptmkg.endpoint.worker import Worker, WorkerFailed, _die_with_parent, _receive, _send
from ptmkg.errors import PtmkgError, QueryCancelled, QueryTimeout, ResultTooLarge, sparql_syntax_error
from ptmkg.namespaces import PREFIXES
from ptmkg.store_view import open_read_only, visible

STARTUP_S = 60.0
"""How long a worker may take to start and open the store."""

Reply = tuple[str, object]
_PAYLOADS = ("solutions", "triples")
T = TypeVar("T")


@dataclass(frozen=True)
class QueryRequest:
    """A bound query for a worker; ``graphs``: the default graph's members (None: what a reader sees)."""

    query: str
    graphs: tuple[str, ...] | None = None
    max_rows: int | None = None


class _TooMany(Exception):
    """More lines than the cap were written."""


class _LineCapped(io.RawIOBase):
    """A bytes buffer that refuses more than ``max_lines`` lines."""

    def __init__(self, max_lines: int | None):
        self.buffer, self.lines, self.max_lines = bytearray(), 0, max_lines

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | memoryview) -> int:
        start = len(self.buffer)
        self.buffer += data
        self.lines += self.buffer.count(b"\n", start)
        if self.max_lines is not None and self.lines > self.max_lines:
            raise _TooMany
        return len(self.buffer) - start


def evaluate(store: ox.Store, query: str, scope: dict[str, object], max_rows: int | None) -> Reply:
    """Run ``query`` and serialise its result: ``(kind, data)``, kind one of bool, solutions, triples, or
    an error kind (too-many, syntax, service, error) with what the caller needs to say why."""
    solutions = False
    try:
        result = store.query(query, prefixes=PREFIXES, **scope)
        if isinstance(result, ox.QueryBoolean):
            return "bool", bool(result)
        solutions = isinstance(result, ox.QuerySolutions)
        raw = _LineCapped(None if max_rows is None else max_rows + solutions)  # TSV has a header line
        with io.BufferedWriter(raw, 1 << 16) as out:  # the serialisers write a few bytes at a time
            if solutions:
                result.serialize(out, ox.QueryResultsFormat.TSV)
            else:
                ox.serialize(result, out, ox.RdfFormat.N_TRIPLES)
    except _TooMany:
        return "too-many", max_rows
    except SyntaxError as e:
        return "syntax", str(e)
    except OSError as e:
        return "service", e.strerror or str(e)
    except (RuntimeError, ValueError) as e:
        return "error", str(e)
    return ("solutions" if solutions else "triples"), raw.buffer


def _send_reply(stream: io.RawIOBase, reply: Reply) -> None:
    """Send ``reply``; a result's bytes go after a small header, not through pickle (no copies of a large result)."""
    kind, data = reply
    if kind not in _PAYLOADS:
        _send(stream, reply)
        return
    _send(stream, (kind, len(data)))
    view = memoryview(data)
    while view:
        view = view[stream.write(view):]


def _receive_reply(stream: io.RawIOBase) -> Reply | None:
    """A reply sent by :func:`_send_reply` (None if the sender died first)."""
    reply = _receive(stream)
    if reply is None or reply[0] not in _PAYLOADS:
        return reply
    data = bytearray(reply[1])
    view, got = memoryview(data), 0
    while got < len(data):
        n = stream.readinto(view[got:])
        if not n:
            return None
        got += n
    return reply[0], data


def _scope(graphs: tuple[str, ...] | None, hidden: list[ox.NamedNode] | None) -> dict[str, object]:
    """The dataset of a worker's query: ``graphs``, else the union (of the visible graphs when some are hidden)."""
    if graphs is not None:
        return {"default_graph": [ox.NamedNode(g) for g in graphs] or [ox.DefaultGraph()]}
    return {"use_default_graph_as_union": True} if hidden is None else {"default_graph": hidden}


def main(argv: list[str]) -> None:
    """Worker process: ``python -m ptmkg.query_jobs STORE PARENT_PID``."""
    store_path, parent = argv[0], int(argv[1])
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops us
    channel_in, channel_out = io.FileIO(0, "r", closefd=False), io.FileIO(os.dup(1), "w")
    os.dup2(2, 1)  # nothing printed may corrupt the channel
    try:
        store = open_read_only(Path(store_path))
        shown = visible(store)  # a killed load's graph stays hidden, as from a read-only KG
    except (OSError, RuntimeError) as e:
        _send(channel_out, ("error", str(e)))
        return
    _send(channel_out, ("ready", os.getpid()))
    while (req := _receive(channel_in)) is not None:
        try:
            scope = _scope(req.graphs, shown)
        except ValueError as e:
            _send(channel_out, ("error", f"bad graph IRI: {e}"))
            continue
        _send_reply(channel_out, evaluate(store, req.query, scope, req.max_rows))


# -- processes -------------------------------------------------------------------------------------------


class _Runner(Protocol):
    def wait(self, timeout: float | None) -> Reply | None: ...  # TimeoutError when none came in time
    def stop(self) -> None: ...  # SIGKILL; safe from any thread
    def close(self) -> None: ...  # stop, reap, close the channel


def _wait_readable(stream: io.RawIOBase, timeout: float | None) -> None:
    ready, _, _ = select.select([stream], [], [], None if timeout is None else max(timeout, 0.0))
    if not ready:
        raise TimeoutError


class _DiskWorker(Worker):
    """An endpoint-style worker answering :class:`QueryRequest` s; ``fingerprint``: the store's files when it started."""

    def __init__(self, store: Path, fingerprint: tuple):
        self.fingerprint, self._lock, self._closed = fingerprint, threading.Lock(), False
        self.proc = subprocess.Popen([sys.executable, "-m", "ptmkg.query_jobs", str(store), str(os.getpid())],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)

    def send(self, req: QueryRequest) -> None:
        _send(self.proc.stdin, req)

    def wait(self, timeout: float | None) -> Reply | None:
        _wait_readable(self.proc.stdout, timeout)
        return _receive_reply(self.proc.stdout)

    def stop(self) -> None:
        with self._lock:
            if not self._closed:
                self.proc.kill()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self.kill()


class _Forked:
    """A child forked to answer one query on an in-memory store (it exits after replying)."""

    def __init__(self, store: ox.Store, query: str, scope: dict[str, object], max_rows: int | None):
        r, w = os.pipe()
        parent = os.getpid()
        with warnings.catch_warnings():  # the child only queries and writes to its pipe: no locks it could need
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                os.close(r)
                _die_with_parent(parent)
                _send_reply(io.FileIO(w, "w"), evaluate(store, query, scope, max_rows))
            finally:
                os._exit(0)
        os.close(w)
        self.pid, self.channel, self._lock, self._closed = pid, io.FileIO(r, "r"), threading.Lock(), False

    def wait(self, timeout: float | None) -> Reply | None:
        _wait_readable(self.channel, timeout)
        return _receive_reply(self.channel)

    def stop(self) -> None:
        with self._lock:
            if not self._closed:
                os.kill(self.pid, signal.SIGKILL)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.channel.close()


_launches: queue.Queue[tuple[Callable[[], object], Future]] = queue.Queue()
_launcher: threading.Thread | None = None
_launcher_lock = threading.Lock()


def _launch_loop() -> None:
    while True:
        make, future = _launches.get()
        try:
            future.set_result(make())
        except BaseException as e:  # noqa: BLE001 - handed to the caller
            future.set_exception(e)


def launch(make: Callable[[], T]) -> T:
    """Run ``make`` (it starts a process) on one thread that lives as long as this process: Linux sends a
    child's parent-death signal when the *thread* that started it ends, so a child started by a
    short-lived thread (a widget's, a job's) would be killed with it."""
    global _launcher
    with _launcher_lock:
        if _launcher is None:
            _launcher = threading.Thread(target=_launch_loop, daemon=True, name="ptmkg-query-launcher")
            _launcher.start()
    future: Future = Future()
    _launches.put((make, future))
    return future.result()


def fingerprint(path: Path) -> tuple:
    """The store's files (name, size, modification time): any write changes them (the write-ahead log grows,
    a bulk load adds files). The server's info logs and lock file are left out."""
    with os.scandir(path) as entries:
        return tuple(sorted((e.name, (s := e.stat()).st_size, s.st_mtime_ns) for e in entries
                            if not e.name.startswith(("LOG", "LOCK"))))


class QueryWorkers:
    """Worker processes for one on-disk store; at most one is kept idle, and reused while the store is unchanged."""

    def __init__(self, path: Path):
        self.path, self._idle, self._closed, self._starting = path, None, False, False
        self._changed = threading.Condition()

    def take(self) -> _DiskWorker:
        """The idle worker if it still sees the store as it is, else a new one (started and ready).
        A replacement being started in the background is waited for rather than started twice."""
        now = fingerprint(self.path)
        with self._changed:
            self._changed.wait_for(lambda: self._idle is not None or not self._starting, STARTUP_S)
            idle, self._idle = self._idle, None
        if idle is not None:
            if idle.fingerprint == now and idle.proc.poll() is None:
                return idle
            idle.close()
        return self._start(now)

    def _start(self, now: tuple) -> _DiskWorker:
        worker = launch(lambda: _DiskWorker(self.path, now))
        try:
            worker.wait_ready(STARTUP_S)
        except TimeoutError:
            worker.close()
            raise PtmkgError(f"the query worker did not open the store within {STARTUP_S:g} s") from None
        except WorkerFailed as e:
            raise PtmkgError(str(e)) from None
        return worker

    def give_back(self, worker: _DiskWorker) -> None:
        """Keep ``worker`` idle for the next query, unless one is kept already or the store has changed."""
        with self._changed:
            keep = not self._closed and self._idle is None and worker.fingerprint == fingerprint(self.path)
            if keep:
                self._idle = worker
                self._changed.notify_all()
        if not keep:
            worker.close()

    def prestart(self) -> None:
        """Start a worker to keep idle (after one was killed), so that the next query need not wait as long."""
        with self._changed:
            if self._closed or self._idle is not None or self._starting:
                return
            self._starting = True
        try:
            worker = self._start(fingerprint(self.path))
        except PtmkgError:
            worker = None  # the next query starts one and says why if it cannot
        with self._changed:
            self._starting = False
            self._changed.notify_all()
        if worker is not None:
            self.give_back(worker)

    def close(self) -> None:
        """Stop the idle worker; workers still answering are stopped when their job ends."""
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, None
        if idle is not None:
            idle.close()


# -- jobs ------------------------------------------------------------------------------------------------

_UNSET = object()


class QueryJob:
    """A query running in a process of its own (see :meth:`ptmkg.kg.KG.start_query`).

    ``done()`` polls, ``result(wait)`` waits and returns what ``KG.query`` returns (or raises
    :class:`~ptmkg.errors.QueryTimeout`, :class:`~ptmkg.errors.ResultTooLarge`,
    :class:`~ptmkg.errors.QueryCancelled`, or the query's own error), ``cancel()`` kills the process.
    The time limit is enforced whether or not anyone waits.
    """

    def __init__(self, sparql: str, acquire: Callable[[], _Runner], *, timeout: float | None, max_rows: int | None,
                 convert: Callable[[object], object], release: Callable[[_Runner], None] | None = None,
                 replace: Callable[[], None] | None = None):
        """``acquire``: returns a runner that has the query; ``release``: takes it back after a reply
        (default: close it); ``replace``: called after a runner was killed; ``convert``: Oxigraph's
        result (a bool, solutions or triples) → what ``KG.query`` returns."""
        self._sparql, self._timeout, self._max_rows, self._convert = sparql, timeout, max_rows, convert
        self._release, self._replace = release or (lambda r: r.close()), replace
        self._started, self._ended = time.monotonic(), None
        self._done, self._lock = threading.Event(), threading.Lock()
        self._runner: _Runner | None = None
        self._outcome: object = None
        self._value: object = _UNSET
        threading.Thread(target=self._watch, args=(acquire,), daemon=True, name="ptmkg-query-job").start()

    @property
    def elapsed(self) -> float:
        """Seconds since the job started, until it finished (or until now while it runs)."""
        return (self._ended or time.monotonic()) - self._started

    def done(self) -> bool:
        """Whether the job has finished (answered, failed, timed out or been cancelled)."""
        return self._done.is_set()

    def cancel(self) -> None:
        """Stop the query now (its process is killed); ``result()`` then raises QueryCancelled. No-op once done."""
        if self._finish(QueryCancelled()):
            with self._lock:
                runner = self._runner
            if runner is not None:
                runner.stop()

    def result(self, wait: float | None = None) -> object:
        """What ``KG.query`` returns; waits at most ``wait`` seconds (None: until done), then TimeoutError
        if the query is still running (it goes on; ``cancel()`` stops it)."""
        if not self._done.wait(wait):
            raise TimeoutError(f"the query is still running after {wait:g} s; job.cancel() stops it")
        with self._lock:
            if self._value is _UNSET and not isinstance(self._outcome, BaseException):
                try:
                    self._value = self._converted(self._outcome)
                except PtmkgError as e:
                    self._outcome = e
            if isinstance(self._outcome, BaseException):
                raise self._outcome.with_traceback(None)
            return self._value

    def __repr__(self) -> str:
        state = "done" if self.done() else "running"
        return f"<QueryJob {state}, {self.elapsed:.1f} s>"

    def _finish(self, outcome: object) -> bool:
        with self._lock:
            if self._done.is_set():
                return False
            self._outcome, self._ended = outcome, time.monotonic()
            self._done.set()
            return True

    def _watch(self, acquire: Callable[[], _Runner]) -> None:
        try:
            runner = acquire()
        except PtmkgError as e:
            self._finish(e)
            return
        with self._lock:
            cancelled = self._done.is_set()
            self._runner = runner
        if cancelled:  # before its worker was ready: the query was not sent
            self._release(runner)
            return
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        try:
            reply = runner.wait(None if deadline is None else deadline - time.monotonic())
        except TimeoutError:
            self._finish(QueryTimeout(self._timeout))
            reply = None
        if reply is None:  # timed out, cancelled, or the process died
            self._finish(PtmkgError("the query's process died before it answered (out of memory?); "
                                    "the graph is still usable"))
            runner.close()
            if self._replace is not None:
                self._replace()
            return
        self._finish(reply)
        self._release(runner)

    def _converted(self, reply: Reply) -> object:
        kind, data = reply
        if kind == "bool":
            return self._convert(data)
        if kind == "solutions":
            return self._convert(ox.parse_query_results(data, ox.QueryResultsFormat.TSV))
        if kind == "triples":
            return self._convert(q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES))
        if kind == "too-many":
            raise ResultTooLarge(self._max_rows)
        if kind == "syntax":
            raise sparql_syntax_error(self._sparql, data)
        if kind == "service":
            raise PtmkgError(f"a SERVICE call of the query failed: {data}")
        raise PtmkgError(f"query evaluation failed: {data}")


def start_in_worker(workers: QueryWorkers, sparql: str, req: QueryRequest, *, timeout: float | None,
                    convert: Callable[[object], object]) -> QueryJob:
    """A job answering ``req`` in one of ``workers`` (started when none is idle)."""

    def acquire() -> _DiskWorker:
        worker = workers.take()
        try:
            worker.send(req)
        except OSError:  # it died while idle: the query never reached it
            worker.close()
            worker = workers.take()
            worker.send(req)
        return worker

    return QueryJob(sparql, acquire, timeout=timeout, max_rows=req.max_rows, convert=convert,
                    release=workers.give_back, replace=workers.prestart)


def start_in_fork(store: ox.Store, sparql: str, query: str, scope: dict[str, object], *, timeout: float | None,
                  max_rows: int | None, convert: Callable[[object], object]) -> QueryJob:
    """A job answering ``query`` in a child forked now from this process (which holds ``store`` in memory)."""
    runner = launch(lambda: _Forked(store, query, scope, max_rows))
    return QueryJob(sparql, lambda: runner, timeout=timeout, max_rows=max_rows, convert=convert)


if __name__ == "__main__":
    main(sys.argv[1:])
