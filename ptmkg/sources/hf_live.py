"""Fetch model records live from the Hugging Face Hub into a JSON Lines file the ``hf`` reader reads."""

from __future__ import annotations

import dataclasses
import json
import signal
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType

from tqdm.auto import tqdm

EXPAND = ["author", "sha", "createdAt", "lastModified", "downloads", "likes", "library_name", "pipeline_tag",
          "tags", "cardData", "siblings", "safetensors", "config", "gated", "usedStorage"]


def _jsonable(value: object) -> object:
    """ModelInfo (and its nested dataclasses, card data, datetimes) as plain JSON values."""
    if hasattr(value, "to_dict"):
        return _jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in vars(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value


def to_record(info: object, card: str | None = None) -> dict:
    """One JSONL record from a ``ModelInfo``: its fields in ModelInfo spelling, plus ``card`` if given."""
    record = {k: v for k, v in _jsonable(info).items()
              if k not in ("lastModified", "cardData", "transformersInfo")}  # compatibility aliases
    if card is not None:
        record["card"] = card
    record["_source"] = f"https://huggingface.co/api/models/{record['id']}"
    return record


class _Interrupt:
    """Turns the first Ctrl-C into a flag checked between records (main thread only)."""

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def __enter__(self) -> _Interrupt:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: leave Ctrl-C as it is
            self._previous = None
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def fetch_models(api: object | None = None, *, search: str | None = None, author: str | None = None,
                 filter: str | list[str] | None = None, limit: int | None = 1000,
                 expand: list[str] | None = None, with_cards: bool = False) -> Iterator[dict]:
    """Yield Hub model records (ModelInfo-shaped dicts) from ``HfApi.list_models`` pages.

    ``expand`` picks the properties the listing returns (default :data:`EXPAND`). With
    ``with_cards`` each model's details (``model_info``) and README text are fetched as well
    (two requests per model). A Ctrl-C stops after the record in progress: records already
    yielded stay valid and no further page is requested.
    """
    from huggingface_hub import HfApi

    api = api or HfApi()
    expand = expand or EXPAND
    models = api.list_models(search=search, author=author, filter=filter, limit=limit, expand=expand)
    with _Interrupt() as stop, tqdm(models, total=limit, desc="hub models", unit="model") as bar:
        for info in bar:
            if with_cards:
                yield to_record(api.model_info(info.id, expand=expand), _card(api, info.id))
            else:
                yield to_record(info)
            if stop.requested:
                bar.write("interrupted: stopping after the records fetched so far")
                return


def _card(api: object, repo_id: str) -> str:
    """The model's README text ('' when the repository has none)."""
    from huggingface_hub import hf_hub_url
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    url = hf_hub_url(repo_id, "README.md", endpoint=api.endpoint)
    response = get_session().get(url, headers=build_hf_headers(token=api.token))
    if response.status_code == 404:
        return ""
    hf_raise_for_status(response)
    return response.text


def fetch_to_jsonl(folder: Path, **query: object) -> Path:
    """Fetch records (see :func:`fetch_models`) into ``folder/hf_models_<UTC stamp>.jsonl``; returns the path.

    The time stamp in the name is the retrieval date the ``hf`` reader records. Records are
    written as they arrive, so an interrupted fetch leaves a valid file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"hf_models_{datetime.now(timezone.utc):%Y%m%d_%H%M%S}.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for record in fetch_models(**query):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
