"""``ptmkg teach``: list, show, check and solve the course's exercises; export a handout and a key."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ptmkg.errors import PtmkgError

Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def cmd_list(args: argparse.Namespace) -> int:
    import polars as pl

    from ptmkg.cli import print_frame
    from ptmkg.teaching import exercises, levels

    items = exercises()
    frame = pl.DataFrame({"exercise": [e.id for e in items], "level": [e.level for e in items],
                          "level name": [e.level_name for e in items], "title": [e.title for e in items]})
    print_frame(frame, args.format, rows=500, width=80)
    if args.format == "table":
        used = {e.level for e in items}
        print(f"\n{len(items)} exercises over {len(used)} of {len(levels())} levels; "
              "'ptmkg teach show NN' prints one")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from ptmkg.teaching import get
    from ptmkg.teaching.export import grading_notes

    ex = get(args.exercise)
    print(f"{ex.number}. {ex.title}   [level {ex.level}: {ex.level_name}]\n")
    print(f"Goal: {ex.goal}\n\n{ex.task}\n")
    if ex.literature:
        print(f"From the literature: {ex.literature.question}\n  ({ex.literature.citation})\n")
    notes = grading_notes(ex)
    if notes:
        print(f"Grading: {'; '.join(notes)}.\n")
    shown = ex.hint(args.hints)
    for i, hint in enumerate(shown, 1):
        print(f"Hint {i}: {hint}")
    if len(shown) < len(ex.hints):
        print(f"({len(ex.hints) - len(shown)} more hint(s): ptmkg teach show {ex.number} --hints {len(shown) + 1})")
    return 0


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    if not p.is_file():
        raise PtmkgError(f"no query file at {path}")
    return p.read_text(encoding="utf-8")


def cmd_check(args: argparse.Namespace) -> int:
    from ptmkg.teaching import check

    feedback = check(args.exercise, _read(args.file))
    print(feedback)
    return 0 if feedback.correct else 1


def cmd_solution(args: argparse.Namespace) -> int:
    from ptmkg.teaching import get
    from ptmkg.teaching.export import solution_text

    print(solution_text(get(args.exercise)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ptmkg.teaching.export import export

    for path in export(args.out, args.format):
        print(path)
    return 0


def register(sub: argparse._SubParsersAction, command: Command) -> None:
    """Add ``ptmkg teach list|show|check|solution|export``."""
    p = command("teach", cmd_list, "the SPARQL course: exercises over the starter snapshot, graded instantly")
    actions = p.add_subparsers(dest="teach_command", required=True, metavar="ACTION")

    ls = actions.add_parser("list", help="the exercises, with their levels")
    ls.add_argument("--format", choices=["table", "csv", "json"], default="table")
    ls.set_defaults(func=cmd_list)

    show = actions.add_parser("show", help="one exercise's task (hints revealed one by one with --hints N)")
    show.add_argument("exercise", help="exercise number (7) or id (07-having-popular-tasks)")
    show.add_argument("--hints", type=int, default=0, metavar="N", help="also show the first N hints")
    show.set_defaults(func=cmd_show)

    chk = actions.add_parser("check", help="grade a query file against the exercise (exit 0 when correct, 1 if not)",
                             description="Run FILE.rq and the reference solution on the exercise's graph (built in "
                                         "memory from the packaged starter snapshot) and say what differs.")
    chk.add_argument("exercise", help="exercise number or id")
    chk.add_argument("file", help="the query file ('-' reads standard input)")
    chk.set_defaults(func=cmd_check)

    sol = actions.add_parser("solution", help="print the reference solution")
    sol.add_argument("exercise", help="exercise number or id")
    sol.set_defaults(func=cmd_solution)

    exp = actions.add_parser("export", help="write handout (no solutions) and key (with solutions)")
    exp.add_argument("--out", type=Path, required=True, help="output folder")
    exp.add_argument("--format", choices=["md", "html"], default="md")
    exp.set_defaults(func=cmd_export)
