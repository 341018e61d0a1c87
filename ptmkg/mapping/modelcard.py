"""Model-card facts: length and which standard sections a card has (never the card's text).

A card's Markdown headings are matched to canonical section names, so cards written with
different wordings ("Uses", "Intended uses & limitations", "How to Get Started") compare.
"""

from __future__ import annotations

import polars as pl

# Canonical section → pattern over the lower-cased heading text; the first match wins, so the
# more specific patterns come first (e.g. "training results" is part of the training procedure).
SECTIONS: dict[str, str] = {
    "environmental_impact": r"environmental|carbon|emission|co2",
    "training_data": r"training (data|dataset|corpus)|pre-?training data|^data(sets?)?$|^datasets? used",
    "training_procedure": r"training (procedure|details|hyper-?parameters|setup|results|regime|configuration)"
                          r"|hyper-?parameters|fine-?tuning (details|procedure|setup)|^training$|^fine-?tuning$",
    "evaluation": r"evaluation|results|benchmark|performance|metrics|leaderboard",
    "limitations": r"limitation|bias|risk|ethic|safety|caveat|out-of-scope",
    "intended_uses": r"intended use|^uses$|use cases|direct use|downstream use|intended purpose",
    "how_to_use": r"how to (use|get started|run)|usage|quick ?start|get(ting)? started|^inference|example",
    "citation": r"citation|cite|bibtex|references?$",
    "license": r"licen[cs]e",
    "model_details": r"model (description|details|summary|overview|information)|^overview|^description"
                     r"|^introduction|^about",
}

# ATX headings ("## Title", up to three leading spaces), without trailing #s.
_HEADING = r"(?m)^ {0,3}#{1,6}[ \t]+([^\n]*?)[ \t#]*$"


def section_of(heading: pl.Expr) -> pl.Expr:
    """The canonical section name of a heading, or null when it is not a standard section."""
    h = heading.str.to_lowercase().str.replace_all(r"[*_`:\[\]]", "").str.strip_chars()
    out = pl.lit(None, dtype=pl.String)
    for name, pattern in reversed(SECTIONS.items()):
        out = pl.when(h.str.contains(pattern)).then(pl.lit(name)).otherwise(out)
    return out


def card_sections(frame: pl.DataFrame, key: str = "id", text: str = "card") -> pl.DataFrame:
    """One row per (``key``, canonical section) found among the Markdown headings of ``text``."""
    return (
        frame.select(pl.col(key), pl.col(text).str.extract_all(_HEADING).alias("heading"))
        .explode("heading")
        .select(pl.col(key), section_of(pl.col("heading").str.replace(r"^ {0,3}#{1,6}[ \t]+", "")).alias("section"))
        .drop_nulls()
        .unique(maintain_order=True)
    )


def card_length(text: pl.Expr) -> pl.Expr:
    """Length of the card in characters (null when there is no card)."""
    return pl.when(text.str.len_chars() > 0).then(text.str.len_chars()).cast(pl.Int64)
