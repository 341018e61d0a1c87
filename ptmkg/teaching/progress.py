"""A student's progress through the course, kept in a local JSON file: solved exercises, hints shown, drafts."""

from __future__ import annotations

import json
import os
from pathlib import Path


def default_progress_path() -> Path:
    """``$PTMKG_TEACHING_PROGRESS``, else ``$XDG_DATA_HOME/ptmkg/teaching-progress.json`` (``~/.local/share``)."""
    if os.environ.get("PTMKG_TEACHING_PROGRESS"):
        return Path(os.environ["PTMKG_TEACHING_PROGRESS"])
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "ptmkg" / "teaching-progress.json"


class Progress:
    """Per exercise: solved or not, attempts, hints revealed and the last query typed. Saved on every change."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_progress_path()
        try:
            self.state: dict[str, dict] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.state = {}  # no file yet, or an unreadable one: start afresh (rewritten on the next change)

    def _entry(self, exercise: str) -> dict:
        return self.state.setdefault(exercise, {"solved": False, "attempts": 0, "hints": 0, "query": ""})

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)

    def solved(self, exercise: str) -> bool:
        """Whether the exercise was ever answered correctly."""
        return bool(self.state.get(exercise, {}).get("solved"))

    def hints(self, exercise: str) -> int:
        """How many hints were revealed."""
        return int(self.state.get(exercise, {}).get("hints", 0))

    def query(self, exercise: str) -> str:
        """The last query checked or run for the exercise ('' if none)."""
        return str(self.state.get(exercise, {}).get("query", ""))

    def record_attempt(self, exercise: str, query: str, correct: bool) -> None:
        """Count a check; a correct one marks the exercise solved (for good)."""
        entry = self._entry(exercise)
        entry["attempts"] += 1
        entry["query"] = query
        entry["solved"] = entry["solved"] or correct
        self._save()

    def record_draft(self, exercise: str, query: str) -> None:
        """Remember the query last run."""
        self._entry(exercise)["query"] = query
        self._save()

    def reveal_hint(self, exercise: str, available: int) -> int:
        """Reveal one more hint (up to ``available``); returns how many are revealed."""
        entry = self._entry(exercise)
        entry["hints"] = min(available, entry["hints"] + 1)
        self._save()
        return entry["hints"]

    def summary(self, exercises: list[str]) -> tuple[int, int]:
        """(solved, total) over ``exercises``."""
        return sum(self.solved(e) for e in exercises), len(exercises)
