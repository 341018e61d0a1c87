"""Paper metadata from the arXiv Atom API and the OpenAlex works API, cached on disk and throttled.

Output rows have the ``literature`` source's columns (``key``, ``title``, ``doi``, ``arxiv``, ``year``,
``venue``; the coding columns blank): :func:`write_sheet` writes a coding sheet that a reviewer fills in
and ``ptmkg ingest literature`` reads.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl
import requests

from ptmkg.clients.http import (
    USER_AGENT,
    ClientError,
    JsonCache,
    Throttle,
    default_cache_dir,
)
from ptmkg.sources.literature import REQUIRED

ARXIV_API = "https://export.arxiv.org/api/query"
OPENALEX_API = "https://api.openalex.org/works"
ATOM = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
SHEET_COLUMNS = ["key", "title", *[c for c in REQUIRED if c != "key"]]


def _clean(text: str | None) -> str | None:
    return re.sub(r"\s+", " ", text).strip() if text else None


class PaperClient:
    """arXiv (at most one request per ``arxiv_interval`` s, as arXiv asks) and OpenAlex (polite pool via ``mailto``)."""

    def __init__(self, session: requests.Session | None = None, cache_dir: Path | None = None,
                 mailto: str | None = None, arxiv_interval: float = 3.0, openalex_interval: float = 0.1,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.session = session or requests.Session()
        self.cache = JsonCache(cache_dir or default_cache_dir() / "papers")
        self.mailto = mailto
        self.arxiv_throttle = Throttle(arxiv_interval, clock, sleep)
        self.openalex_throttle = Throttle(openalex_interval, clock, sleep)

    def _get(self, url: str, params: dict[str, str], throttle: Throttle) -> tuple[int, str]:
        key = url + "?" + "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        cached = self.cache.get(key)
        if cached:
            return cached["status"], cached["text"]
        throttle.wait()
        response = self.session.get(url, params=params, headers={"User-Agent": USER_AGENT}, timeout=60)
        if response.status_code not in (200, 404):
            raise ClientError(f"{url}: HTTP {response.status_code}")
        self.cache.put(key, {"status": response.status_code, "text": response.text})
        return response.status_code, response.text

    def arxiv(self, ids: Iterable[str]) -> list[dict]:
        """Rows for arXiv ids (versions dropped), in one request; unknown ids are left out."""
        ids = sorted({re.sub(r"v\d+$", "", i.strip()) for i in ids})
        if not ids:
            return []
        _, text = self._get(ARXIV_API, {"id_list": ",".join(ids), "max_results": str(len(ids))}, self.arxiv_throttle)
        return parse_atom(text)

    def openalex(self, doi: str) -> dict | None:
        """A row for one DOI, or None if OpenAlex does not know it."""
        doi = re.sub(r"^(?i:https?://(dx\.)?doi\.org/|doi:)", "", doi.strip()).lower()
        params = {"mailto": self.mailto} if self.mailto else {}
        status, text = self._get(f"{OPENALEX_API}/doi:{doi}", params, self.openalex_throttle)
        return parse_openalex(text) if status == 200 else None


def parse_atom(text: str) -> list[dict]:
    """Rows from an arXiv Atom feed (entries that are errors, without an ``id``, are skipped)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise ClientError(f"arXiv answered with malformed Atom XML ({e})") from None
    rows = []
    for entry in root.findall("a:entry", ATOM):
        url = entry.findtext("a:id", default="", namespaces=ATOM)
        m = re.search(r"arxiv\.org/abs/(.+?)(?:v\d+)?$", url)
        if not m:
            continue
        published = entry.findtext("a:published", default="", namespaces=ATOM)
        rows.append({"key": f"arXiv:{m.group(1)}", "title": _clean(entry.findtext("a:title", namespaces=ATOM)),
                     "doi": _clean(entry.findtext("arxiv:doi", namespaces=ATOM)), "arxiv": m.group(1),
                     "year": int(published[:4]) if published[:4].isdigit() else None,
                     "venue": _clean(entry.findtext("arxiv:journal_ref", namespaces=ATOM)) or "arXiv"})
    return rows


def parse_openalex(text: str) -> dict:
    """A row from an OpenAlex work object."""
    work = json.loads(text)
    source = ((work.get("primary_location") or {}).get("source") or {})
    doi = (work.get("doi") or "").removeprefix("https://doi.org/") or None
    arxiv = next((m.group(1) for loc in work.get("locations") or []
                  if (m := re.search(r"arxiv\.org/abs/(\d{4}\.\d{4,5})", (loc.get("landing_page_url") or "")))), None)
    return {"key": work["id"].rsplit("/", 1)[-1], "title": _clean(work.get("title") or work.get("display_name")),
            "doi": doi, "arxiv": arxiv, "year": work.get("publication_year"), "venue": source.get("display_name")}


def to_sheet(rows: list[dict]) -> pl.DataFrame:
    """Rows as a coding sheet: the ``literature`` columns, coding columns blank, one row per key."""
    frame = pl.DataFrame(rows, schema={"key": pl.String, "title": pl.String, "doi": pl.String, "arxiv": pl.String,
                                       "year": pl.Int64, "venue": pl.String}, orient="row")
    blank = [pl.lit(None, pl.String).alias(c) for c in SHEET_COLUMNS if c not in frame.columns]
    return frame.unique("key", keep="first", maintain_order=True).with_columns(blank).select(SHEET_COLUMNS)


def write_sheet(rows: list[dict], path: Path) -> Path:
    """Write a coding sheet CSV for reviewers to fill in."""
    to_sheet(rows).write_csv(path)
    return path
