"""Live clients on recorded responses: the requests session is patched, the network is never used."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest
import requests

from ptmkg import KG
from ptmkg.clients.github import GitHubClient
from ptmkg.clients.http import ClientError
from ptmkg.clients.papers import PaperClient, write_sheet

FIXTURES = Path(__file__).parent / "fixtures" / "clients"


def response(status: int, body: bytes = b"", headers: dict[str, str] | None = None, url: str = "") -> requests.Response:
    r = requests.Response()
    r.status_code, r._content, r.url = status, body, url
    r.headers.update(headers or {})
    r.encoding = "utf-8"
    return r


class FakeClock:
    def __init__(self, now: float):
        self.now, self.slept = now, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def github(tmp_path: Path, replies: list[requests.Response], clock: FakeClock) -> tuple[GitHubClient, mock.Mock]:
    session = requests.Session()
    patched = mock.patch.object(session, "get", side_effect=replies).start()
    return GitHubClient(session, token="t0k", cache_dir=tmp_path, clock=clock, sleep=clock.sleep), patched


@pytest.fixture(autouse=True)
def _stop_patches():
    yield
    mock.patch.stopall()


def test_github_repo_then_etag_revalidation(tmp_path: Path) -> None:
    body = (FIXTURES / "github_repo_codebert.json").read_bytes()
    limits = {"X-RateLimit-Remaining": "4999", "X-RateLimit-Reset": "1700003600"}
    clock = FakeClock(1_700_000_000)
    client, get = github(tmp_path, [response(200, body, {**limits, "ETag": 'W/"abc"'}),
                                    response(304, b"", limits)], clock)
    first = client.frame(["microsoft/CodeBERT"])
    again = client.repo("microsoft/CodeBERT")
    assert first.row(0, named=True) == {
        "repository": "microsoft/CodeBERT", "url": "https://github.com/microsoft/CodeBERT", "stars": 2181,
        "forks": 441, "language": "Python", "license_key": "mit", "license_name": "MIT License",
        "created_at": datetime(2019, 11, 28, 5, 45, 55, tzinfo=UTC),
        "updated_at": datetime(2024, 5, 30, 11, 2, 17, tzinfo=UTC),
        "pushed_at": datetime(2023, 11, 2, 6, 31, 7, tzinfo=UTC),
        "default_branch": "master", "archived": False, "fork": False}
    assert again["stargazers_count"] == 2181  # served from the cache on 304
    urls = [c.args[0] for c in get.call_args_list]
    assert urls == ["https://api.github.com/repos/microsoft/CodeBERT"] * 2
    assert "If-None-Match" not in get.call_args_list[0].kwargs["headers"]
    assert get.call_args_list[1].kwargs["headers"]["If-None-Match"] == 'W/"abc"'
    assert get.call_args_list[0].kwargs["headers"]["Authorization"] == "Bearer t0k"
    assert clock.slept == []


def test_github_waits_for_rate_limit_reset(tmp_path: Path) -> None:
    body = (FIXTURES / "github_repo_codebert.json").read_bytes()
    clock = FakeClock(1_700_000_000)
    exhausted = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000060"}
    client, get = github(tmp_path, [
        response(403, b'{"message": "API rate limit exceeded"}', exhausted),
        response(200, body, {"X-RateLimit-Remaining": "4999", "X-RateLimit-Reset": "1700003660"}),
    ], clock)
    assert client.repo("microsoft/CodeBERT")["full_name"] == "microsoft/CodeBERT"
    assert clock.slept == [61.0]  # until the reset second, plus one
    assert get.call_count == 2


def test_github_refuses_to_wait_too_long_and_reports_missing_repos(tmp_path: Path) -> None:
    clock = FakeClock(1_700_000_000)
    client, _ = github(tmp_path, [response(404, b'{"message": "Not Found"}', {"X-RateLimit-Remaining": "0",
                                                                               "X-RateLimit-Reset": "1700009999"})],
                       clock)
    assert client.repo("nobody/nothing") is None
    with pytest.raises(ClientError, match="rate limit"):
        client.repo("microsoft/CodeBERT")


def papers(tmp_path: Path, replies: list[requests.Response], clock: FakeClock) -> tuple[PaperClient, mock.Mock]:
    session = requests.Session()
    patched = mock.patch.object(session, "get", side_effect=replies).start()
    return PaperClient(session, cache_dir=tmp_path, mailto="ptmkg@example.org", clock=clock, sleep=clock.sleep), patched


def test_arxiv_and_openalex_rows_cached_and_throttled(tmp_path: Path) -> None:
    clock = FakeClock(100.0)
    client, get = papers(tmp_path, [
        response(200, (FIXTURES / "arxiv_query.xml").read_bytes()),
        response(200, (FIXTURES / "openalex_work.json").read_bytes()),
        response(200, (FIXTURES / "arxiv_query.xml").read_bytes()),
    ], clock)
    rows = client.arxiv(["2305.06161v2", "2002.08155"])
    assert rows == [
        {"key": "arXiv:2002.08155", "title": "CodeBERT: A Pre-Trained Model for Programming and Natural Languages",
         "doi": "10.18653/v1/2020.findings-emnlp.139", "arxiv": "2002.08155", "year": 2020,
         "venue": "Findings of EMNLP 2020"},
        {"key": "arXiv:2305.06161", "title": "StarCoder: may the source be with you!", "doi": None,
         "arxiv": "2305.06161", "year": 2023, "venue": "arXiv"},
    ]
    assert get.call_args_list[0].kwargs["params"] == {"id_list": "2002.08155,2305.06161", "max_results": "2"}
    work = client.openalex("https://doi.org/10.18653/V1/2020.findings-emnlp.139")
    assert work == {"key": "W3099878876", "title": "CodeBERT: A Pre-Trained Model for Programming and Natural Languages",
                    "doi": "10.18653/v1/2020.findings-emnlp.139", "arxiv": "2002.08155", "year": 2020,
                    "venue": "Findings of the Association for Computational Linguistics: EMNLP 2020"}
    assert get.call_args_list[1].args[0] == "https://api.openalex.org/works/doi:10.18653/v1/2020.findings-emnlp.139"
    assert get.call_args_list[1].kwargs["params"] == {"mailto": "ptmkg@example.org"}
    assert client.arxiv(["2002.08155", "2305.06161"]) == rows  # the cache answers; no third request
    assert get.call_count == 2
    client.arxiv(["2002.08155"])  # a new query: must wait 3 s after the first arXiv request
    assert clock.slept == [3.0]


def test_openalex_unknown_doi_and_server_errors(tmp_path: Path) -> None:
    clock = FakeClock(0.0)
    client, _ = papers(tmp_path, [response(404, b'{"error": "not found"}'), response(503, b"busy")], clock)
    assert client.openalex("10.9999/none") is None
    with pytest.raises(ClientError, match="503"):
        client.openalex("10.9999/other")


def test_fetched_rows_make_a_sheet_the_literature_source_reads(tmp_path: Path) -> None:
    clock = FakeClock(0.0)
    client, _ = papers(tmp_path, [response(200, (FIXTURES / "arxiv_query.xml").read_bytes())], clock)
    sheet = write_sheet(client.arxiv(["2002.08155", "2305.06161"]), tmp_path / "sheet.csv")
    kg = KG.memory()
    kg.ingest("literature", sheet)
    got = kg.query("SELECT ?p WHERE { ?p a ptmkg:Paper ; prism:publicationName ?venue } ORDER BY ?p")
    assert got["p"].to_list() == ["https://w3id.org/ptmkg/id/paper/arxiv/2305.06161",
                                  "https://w3id.org/ptmkg/id/paper/doi/10.18653/v1/2020.findings-emnlp.139"]
