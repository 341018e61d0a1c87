"""GitHub REST v3 client for repository metadata: ETag-conditional requests on an on-disk cache,
rate-limit aware (``X-RateLimit-Remaining`` / ``X-RateLimit-Reset``).

:meth:`GitHubClient.frame` returns repository facts with the column names of the ``fairjupyter``
source's ``repositories`` frame (``stars``, ``forks``, ``language``, ``license_key``, ``license_name``,
``created_at``, ``updated_at``), keyed by ``repository`` (``owner/name`` as GitHub spells it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl
import requests

from ptmkg.clients.http import USER_AGENT, ClientError, JsonCache, default_cache_dir

API = "https://api.github.com"
FRAME_SCHEMA: dict[str, pl.DataType] = {
    "repository": pl.String, "url": pl.String, "stars": pl.Int64, "forks": pl.Int64, "language": pl.String,
    "license_key": pl.String, "license_name": pl.String, "created_at": pl.Datetime("us", "UTC"),
    "updated_at": pl.Datetime("us", "UTC"), "pushed_at": pl.Datetime("us", "UTC"), "default_branch": pl.String,
    "archived": pl.Boolean, "fork": pl.Boolean,
}


class GitHubClient:
    """Fetches ``/repos/{owner}/{repo}``; a cached answer is revalidated with ``If-None-Match``."""

    def __init__(self, session: requests.Session | None = None, token: str | None = None,
                 cache_dir: Path | None = None, max_wait: float = 3600.0,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep):
        self.session = session or requests.Session()
        self.token = token if token is not None else os.environ.get("GITHUB_TOKEN")
        self.cache = JsonCache(cache_dir or default_cache_dir() / "github")
        self.max_wait, self.clock, self.sleep = max_wait, clock, sleep
        self.remaining: int | None = None
        self.reset_at: float | None = None

    def _headers(self, etag: str | None) -> dict[str, str]:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
                   "User-Agent": USER_AGENT}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if etag:
            headers["If-None-Match"] = etag
        return headers

    def _wait_for_reset(self) -> None:
        if self.remaining == 0 and self.reset_at is not None:
            delay = self.reset_at - self.clock() + 1
            if delay > self.max_wait:
                raise ClientError(f"GitHub rate limit exhausted until {time.ctime(self.reset_at)}; "
                                  f"set GITHUB_TOKEN or retry later")
            if delay > 0:
                self.sleep(delay)
            self.remaining = None

    def _note_limits(self, response: requests.Response) -> None:
        if "X-RateLimit-Remaining" in response.headers:
            self.remaining = int(response.headers["X-RateLimit-Remaining"])
        if "X-RateLimit-Reset" in response.headers:
            self.reset_at = float(response.headers["X-RateLimit-Reset"])

    def repo(self, full_name: str) -> dict | None:
        """The repository JSON for ``owner/name`` (None if GitHub answers 404 or 451)."""
        url = f"{API}/repos/{full_name.strip('/')}"
        cached = self.cache.get(url)
        for _ in range(2):
            self._wait_for_reset()
            response = self.session.get(url, headers=self._headers(cached and cached.get("etag")), timeout=30)
            self._note_limits(response)
            limited = response.status_code in (403, 429) and self.remaining == 0
            if not limited:
                break
        if response.status_code == 304 and cached:
            return cached["body"]
        if response.status_code in (404, 451):
            return None
        if response.status_code != 200:
            raise ClientError(f"GitHub {url}: HTTP {response.status_code}")
        body = response.json()
        self.cache.put(url, {"etag": response.headers.get("ETag"), "body": body})
        return body

    def frame(self, names: Iterable[str]) -> pl.DataFrame:
        """One row per repository found, columns as in :data:`FRAME_SCHEMA`."""
        rows = [record(body) for body in (self.repo(n) for n in names) if body is not None]
        return to_frame(rows)


def record(body: dict) -> dict:
    """The fields ptmkg keeps from a ``/repos/{owner}/{repo}`` answer."""
    licence = body.get("license") or {}
    return {"repository": body["full_name"], "url": body["html_url"], "stars": body.get("stargazers_count"),
            "forks": body.get("forks_count"), "language": body.get("language"), "license_key": licence.get("key"),
            "license_name": licence.get("name"), "created_at": body.get("created_at"),
            "updated_at": body.get("updated_at"), "pushed_at": body.get("pushed_at"),
            "default_branch": body.get("default_branch"), "archived": body.get("archived"), "fork": body.get("fork")}


def to_frame(rows: list[dict]) -> pl.DataFrame:
    """Records as a typed frame (ISO timestamps parsed as UTC)."""
    times = [c for c, t in FRAME_SCHEMA.items() if isinstance(t, pl.Datetime)]
    strings = {c: (pl.String if c in times else t) for c, t in FRAME_SCHEMA.items()}
    frame = pl.DataFrame(rows, schema=strings, orient="row") if rows else pl.DataFrame(schema=strings)
    return frame.with_columns(pl.col(c).str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC") for c in times)
