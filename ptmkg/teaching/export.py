"""Instructor export: the course as a handout (no solutions) and as a key (with solutions), Markdown or HTML."""

from __future__ import annotations

import html
import re
from pathlib import Path

import yaml

from ptmkg.teaching.exercises import TEACHING_DIR, Exercise, exercises, levels

INTRO = ("Every query runs on the ptmkg starter snapshot (Hub models and carbon reports; no network needed). "
         "The prefixes ptmkg:, prov:, schema:, dct:, fair4ml:, qudt:, unit:, void:, xsd:, rdfs: and the others "
         "of ptmkg are declared for you. Check an answer with `ptmkg teach check NN FILE.rq`.")


def solution_text(ex: Exercise) -> str:
    """The reference solution without its ``#+`` catalogue header."""
    return "\n".join(ln for ln in ex.solution.splitlines() if not ln.startswith("#+")).strip()


def _title() -> str:
    return str(yaml.safe_load((TEACHING_DIR / "course.yaml").read_text(encoding="utf-8"))["title"])


def grading_notes(ex: Exercise) -> list[str]:
    """What the grader is strict about for this exercise, as short phrases."""
    notes = []
    if ex.variables:
        notes.append("use the variable names " + ", ".join(f"`?{v}`" for v in ex.variables))
    if ex.order_by:
        notes.append("the order of rows is graded")
    if ex.tolerance > 1e-6:
        notes.append(f"numbers are graded to {ex.tolerance:.2%}".replace(".00%", "%"))
    return notes


def markdown(with_solutions: bool) -> str:
    """The whole course as Markdown; ``with_solutions`` gives the instructor's key."""
    out = [f"# {_title()}{' — key' if with_solutions else ''}", "", INTRO, ""]
    names = levels()
    for level in sorted(names):
        items = [e for e in exercises() if e.level == level]
        if not items:
            continue
        out += [f"## Level {level}: {names[level]}", ""]
        for ex in items:
            out += [f"### {ex.number}. {ex.title}", "", f"*Goal:* {ex.goal}", "", ex.task, ""]
            if ex.literature:
                out += [f"> *From the literature:* {ex.literature.question} ({ex.literature.citation})", ""]
            notes = grading_notes(ex)
            if notes:
                out += [f"*Grading:* {'; '.join(notes)}.", ""]
            for i, hint in enumerate(ex.hints, 1):
                out += [f"<details><summary>Hint {i}</summary>", "", hint, "", "</details>", ""]
            if with_solutions:
                out += ["**Reference solution**", "", "```sparql", solution_text(ex), "```", ""]
    return "\n".join(out)


_CSS = ("<style>body{font-family:sans-serif;max-width:52em;margin:2em auto;line-height:1.45}"
        "pre{background:#f4f4f4;padding:.8em;overflow-x:auto}blockquote{color:#444;border-left:3px solid #ccc;"
        "margin-left:0;padding-left:1em}</style></head><body>")


def _inline(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def to_html(with_solutions: bool) -> str:
    """The whole course as one standalone HTML page (no scripts, no external resources)."""
    title = _title() + (" — key" if with_solutions else "")
    out = ["<!doctype html>", "<html lang='en'><head><meta charset='utf-8'>", f"<title>{html.escape(title)}</title>",
           _CSS, f"<h1>{html.escape(title)}</h1>", f"<p>{_inline(INTRO)}</p>"]
    names = levels()
    for level in sorted(names):
        items = [e for e in exercises() if e.level == level]
        if not items:
            continue
        out.append(f"<h2>Level {level}: {html.escape(names[level])}</h2>")
        for ex in items:
            out += [f"<section id='{ex.id}'><h3>{ex.number}. {html.escape(ex.title)}</h3>",
                    f"<p><em>Goal:</em> {_inline(ex.goal)}</p>", f"<p>{_inline(ex.task)}</p>"]
            if ex.literature:
                out.append(f"<blockquote><em>From the literature:</em> {_inline(ex.literature.question)} "
                           f"({html.escape(ex.literature.citation)})</blockquote>")
            notes = grading_notes(ex)
            if notes:
                out.append(f"<p><em>Grading:</em> {_inline('; '.join(notes))}.</p>")
            out += [f"<details><summary>Hint {i}</summary><p>{_inline(h)}</p></details>"
                    for i, h in enumerate(ex.hints, 1)]
            if with_solutions:
                out.append(f"<p><strong>Reference solution</strong></p><pre><code>"
                           f"{html.escape(solution_text(ex))}</code></pre>")
            out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)


def export(out: Path, fmt: str = "md") -> list[Path]:
    """Write ``handout`` (no solutions) and ``key`` (with solutions) into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    render = markdown if fmt == "md" else to_html
    written = []
    for name, with_solutions in (("handout", False), ("key", True)):
        path = out / f"{name}.{fmt}"
        path.write_text(render(with_solutions), encoding="utf-8")
        written.append(path)
    return written
