"""Exercises of the SPARQL course: ``queries/teaching/NN-slug.yaml`` tasks, ``solutions/NN-slug.rq`` answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from ptmkg.errors import InputError, UnknownNameError
from ptmkg.queries import QUERIES_DIR

TEACHING_DIR = QUERIES_DIR / "teaching"
DEFAULT_SOURCES = ("starter", "starter-carbon")
_KEYS = {"title", "level", "goal", "task", "hints", "literature", "grading", "sources", "services"}
_GRADING = {"ordered", "order_by", "variables", "tolerance"}


@dataclass(frozen=True)
class Literature:
    """The question from a paper an exercise echoes, and where it is asked."""

    question: str
    citation: str


@dataclass(frozen=True)
class Exercise:
    """One exercise: what to do, how it is graded, and (kept in its own file) the reference solution.

    ``order_by`` names the columns whose sequence must match (the exercise asks for ORDER BY);
    ``variables`` names the columns the SELECT must use (empty: names are free); ``tolerance`` is
    the relative difference allowed between numbers; ``sources`` are the starter sources the graph
    is built from; ``services`` maps an endpoint IRI written in the task to the sources it serves.
    """

    id: str
    title: str
    level: int
    goal: str
    task: str
    hints: tuple[str, ...]
    solution_path: Path
    literature: Literature | None = None
    order_by: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()
    tolerance: float = 1e-9
    sources: tuple[str, ...] = DEFAULT_SOURCES
    services: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def number(self) -> int:
        """The exercise's position in the course (its ``NN`` prefix)."""
        return int(self.id.split("-", 1)[0])

    @property
    def level_name(self) -> str:
        """The name of the exercise's level."""
        return levels()[self.level]

    @property
    def solution(self) -> str:
        """The reference solution's SPARQL (its ``#+`` catalogue header included)."""
        return self.solution_path.read_text(encoding="utf-8")

    def hint(self, n: int) -> list[str]:
        """The first ``n`` hints (hints are revealed one by one)."""
        return list(self.hints[: max(0, n)])


def _text(value: object, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(where, f"'{key}' must be non-empty text", field=key)
    return value.strip()


def parse_exercise(path: Path) -> Exercise:
    """Read one exercise file; a missing field, an unknown key or a missing solution raises :class:`InputError`."""
    where = str(path)
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InputError(where, f"malformed YAML: {e}") from None
    if not isinstance(meta, dict):
        raise InputError(where, "an exercise is a YAML mapping")
    unknown = set(meta) - _KEYS
    if unknown:
        raise InputError(where, f"unknown key(s): {', '.join(sorted(unknown))}", field=min(unknown))
    grading = meta.get("grading") or {}
    if set(grading) - _GRADING:
        raise InputError(where, f"unknown grading option(s): {', '.join(sorted(set(grading) - _GRADING))}",
                         field="grading")
    level = meta.get("level")
    if level not in levels():
        raise InputError(where, f"level must be one of {sorted(levels())}", field="level")
    hints = meta.get("hints") or []
    if not hints or not all(isinstance(h, str) and h.strip() for h in hints):
        raise InputError(where, "'hints' must be a non-empty list of texts", field="hints")
    lit = meta.get("literature")
    literature = None
    if lit is not None:
        literature = Literature(_text(lit.get("question"), where, "literature.question"),
                                _text(lit.get("citation"), where, "literature.citation"))
    solution = path.parent / "solutions" / f"{path.stem}.rq"
    if not solution.exists():
        raise InputError(where, f"no reference solution at {solution}", field="solution")
    order_by = tuple(grading.get("order_by") or ())
    return Exercise(
        id=path.stem,
        title=_text(meta.get("title"), where, "title"),
        level=level,
        goal=_text(meta.get("goal"), where, "goal"),
        task=_text(meta.get("task"), where, "task"),
        hints=tuple(h.strip() for h in hints),
        solution_path=solution,
        literature=literature,
        order_by=order_by,
        variables=tuple(grading.get("variables") or ()),
        tolerance=float(grading.get("tolerance", 1e-9)),
        sources=tuple(meta.get("sources") or DEFAULT_SOURCES),
        services={iri: tuple(src) for iri, src in (meta.get("services") or {}).items()},
    )


@lru_cache(maxsize=2)
def levels(root: Path = TEACHING_DIR) -> dict[int, str]:
    """Level number → level name, from ``course.yaml``."""
    course = yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))
    return {int(k): str(v) for k, v in course["levels"].items()}


@lru_cache(maxsize=2)
def exercises(root: Path = TEACHING_DIR) -> tuple[Exercise, ...]:
    """Every exercise of the course, in order."""
    return tuple(parse_exercise(p) for p in sorted(root.glob("[0-9][0-9]-*.yaml")))


def get(name: str | Exercise, root: Path = TEACHING_DIR) -> Exercise:
    """An exercise by id (``07-optional-licence``), by number (``7``, ``07``) or by the exercise itself."""
    if isinstance(name, Exercise):
        return name
    found = {e.id: e for e in exercises(root)}
    if name in found:
        return found[name]
    if re.fullmatch(r"\d{1,2}", name.strip()):
        for e in found.values():
            if e.number == int(name):
                return e
    raise UnknownNameError("exercise", name, list(found), listing="ptmkg teach list")
