"""Declarative verdict rules: turn a :class:`~ptmkg.claims.stats.TestResult` into a labelled decision.

A rule is a plain dict as written in YAML claim definitions, e.g.
``{kind: proportion, published: 0.27, tolerance: 0.05, direction: "<", threshold: 0.5, min_n: 30}``.

Keys shared by every kind: ``min_n`` (30), ``alpha`` (0.05), ``max_missing_share`` (0.5).
Kinds whose estimate has a CI (proportion, correlation, trend, concentration) also take ``published``
(a number, or ``[low, high]``) and ``tolerance`` (0.05 for proportions, else 0), compared with the estimate
(p̂, ρ, the trend slope, the Gini).  Per kind:

- ``proportion``: ``direction`` (<, <=, >, >=) with ``threshold``; ``significant`` (true: the CI bound
  must clear the threshold; false: the point estimate).
- ``correlation`` / ``difference`` / ``trend``: ``direction`` (>, <, !=, "not >", "not <") read off the
  sign of the effect size and the p-value; optional ``min_effect`` on |effect| (not for trend).
- ``association``: ``expect`` (association | independence), ``min_effect`` on Cramér's V.
- ``concentration``: ``min_gini``, ``max_share`` (share of units with a non-zero value),
  ``min_top_share`` (share held by the top units); at least one, all must hold.

``min_*`` bounds are inclusive (≥), ``max_*`` bounds inclusive (≤).  REPLICATED needs the published value
inside the CI, within ``tolerance`` of the estimate, or (range form) the estimate inside the range; for
correlation and trend it also needs the rule's direction to hold, so a wide, non-significant CI cannot
replicate a directional claim.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ptmkg.claims.stats import TestResult


class Verdict(str, Enum):
    """Verdict labels of the claims catalog."""

    REPLICATED = "REPLICATED"
    SUPPORTED = "SUPPORTED"
    NOT_SUPPORTED = "NOT SUPPORTED"
    INSUFFICIENT_DATA = "INSUFFICIENT DATA"
    NOT_MEASURABLE = "NOT MEASURABLE"
    NOT_COMPARABLE = "NOT COMPARABLE"


class Replication(str, Enum):
    """Outcome of recomputing a paper's published numbers on the paper's own data."""

    REPLICATED = "REPLICATED"
    DIFFERS = "DIFFERS"
    NOT_REPLICABLE = "NOT REPLICABLE"
    NOT_RUN = "NOT RUN"


@dataclass(frozen=True)
class Decision:
    """A verdict label with a one-line human-readable reason."""

    label: Verdict
    reason: str

    def __repr__(self) -> str:
        return f"<{self.label.value}: {self.reason}>"


@dataclass(frozen=True)
class ReplicationDecision:
    """A replication label with a one-line reason (measured vs published, and why they differ if known)."""

    label: Replication
    reason: str

    def __repr__(self) -> str:
        return f"<{self.label.value}: {self.reason}>"


_JUDGED = {Verdict.REPLICATED, Verdict.SUPPORTED, Verdict.NOT_SUPPORTED}


def not_comparable(decision: Decision, frame: str, population: str) -> Decision:
    """A judged decision turned NOT COMPARABLE: the frame measured does not cover the claim's population.

    Decisions that judge nothing (NOT MEASURABLE, INSUFFICIENT DATA) are returned as they are; the estimate
    stays in the reason as a description of the sample."""
    if decision.label not in _JUDGED:
        return decision
    estimate = decision.reason.rsplit(" → ", 1)[0]
    return Decision(Verdict.NOT_COMPARABLE, f"{estimate} (descriptive only: {frame} does not cover the claim's "
                                            f"population, {population}) → NOT COMPARABLE")


def replication_check(rule: dict[str, Any], decision: Decision) -> ReplicationDecision:
    """A claim-part decision read as a replication check: with a published value in the rule, REPLICATED means
    the value was reproduced; without one (a direction-only claim), that the direction holds."""
    head = decision.reason.rsplit(" → ", 1)[0]
    if decision.label not in _JUDGED:
        return ReplicationDecision(Replication.NOT_REPLICABLE, f"{head} → NOT REPLICABLE")
    hit = decision.label == Verdict.REPLICATED if "published" in rule else decision.label != Verdict.NOT_SUPPORTED
    label = Replication.REPLICATED if hit else Replication.DIFFERS
    return ReplicationDecision(label, f"{head} → {label.value}")


def combine_replication(checks: Sequence[ReplicationDecision]) -> Replication:
    """DIFFERS if any check differs; REPLICATED if every runnable check replicates; else NOT REPLICABLE."""
    labels = {c.label for c in checks}
    if Replication.DIFFERS in labels:
        return Replication.DIFFERS
    return Replication.REPLICATED if Replication.REPLICATED in labels else Replication.NOT_REPLICABLE


_COMMON = {"kind", "min_n", "alpha", "max_missing_share"}
_PUBLISHED = {"published", "tolerance"}
_DIRECTIONS = {">", "<", "!=", "not >", "not <"}
_KINDS: dict[str, tuple[set[str], set[str], set[str]]] = {
    # kind: (extra keys, required keys, accepted TestResult.test values)
    "proportion": ({"direction", "threshold", "significant"} | _PUBLISHED, set(), {"proportion"}),
    "correlation": ({"direction", "min_effect"} | _PUBLISHED, {"direction"}, {"spearman"}),
    "difference": ({"direction", "min_effect"}, {"direction"},
                   {"mann_whitney", "wilcoxon_paired", "sign_test", "mcnemar"}),
    "association": ({"expect", "min_effect"}, set(), {"chi_square"}),
    "trend": ({"direction"} | _PUBLISHED, {"direction"}, {"mann_kendall", "ols_trend"}),
    "concentration": ({"min_gini", "max_share", "min_top_share"} | _PUBLISHED, set(), {"gini"}),
}
_ESTIMATE_SYMBOL = {"proportion": "p̂", "spearman": "ρ", "mann_whitney": "U", "wilcoxon_paired": "median Δ",
                    "sign_test": "share(+)", "mcnemar": "b/(b+c)", "chi_square": "χ²",
                    "mann_kendall": "Sen slope", "ols_trend": "OLS slope", "gini": "Gini"}
_EFFECT_SYMBOL = {"spearman_rho": "ρ", "cliffs_delta": "δ", "rank_biserial": "r", "sign_effect": "sign effect",
                  "cramers_v": "V", "mann_kendall_tau": "τ", "pearson_r": "r", "gini": "Gini", "cohens_h": "h"}


def _f(x: float) -> str:
    return f"{x:.3g}"


def validate_rule(rule: dict[str, Any]) -> None:
    """Raise ValueError if ``rule`` has an unknown kind, unknown or missing keys, or bad values."""
    kind = rule.get("kind")
    if kind not in _KINDS:
        raise ValueError(f"unknown rule kind {kind!r}; expected one of {sorted(_KINDS)}")
    extra, required, _ = _KINDS[kind]
    unknown = set(rule) - _COMMON - extra
    if unknown:
        raise ValueError(f"{kind} rule has unknown keys {sorted(unknown)}")
    missing = required - set(rule)
    if missing:
        raise ValueError(f"{kind} rule needs keys {sorted(missing)}")
    direction = rule.get("direction")
    if kind == "proportion":
        if ("direction" in rule) != ("threshold" in rule):
            raise ValueError("proportion rule needs direction and threshold together")
        if direction is None and "published" not in rule:
            raise ValueError("proportion rule needs published or direction/threshold")
        if direction is not None and direction not in {"<", "<=", ">", ">="}:
            raise ValueError(f"proportion direction {direction!r} not in <, <=, >, >=")
    elif direction is not None and direction not in _DIRECTIONS:
        raise ValueError(f"direction {direction!r} not in {sorted(_DIRECTIONS)}")
    if kind == "association" and rule.get("expect", "association") not in {"association", "independence"}:
        raise ValueError("association expect must be 'association' or 'independence'")
    if kind == "concentration" and not {"min_gini", "max_share", "min_top_share"} & set(rule):
        raise ValueError("concentration rule needs min_gini, max_share or min_top_share")
    published = rule.get("published")
    if isinstance(published, (list, tuple)) and (len(published) != 2 or published[0] > published[1]):
        raise ValueError(f"published range must be [low, high], got {published!r}")


def _replication(rule: dict[str, Any], r: TestResult) -> tuple[bool, str] | None:
    """Whether the estimate reproduces the published value; None when the rule has no published value."""
    published = rule.get("published")
    if published is None:
        return None
    if isinstance(published, (list, tuple)):
        lo, hi = published
        inside = lo <= r.estimate <= hi
        return inside, f"{'inside' if inside else 'outside'} published range [{_f(lo)}, {_f(hi)}]"
    if r.ci_low is not None and r.ci_high is not None and r.ci_low <= published <= r.ci_high:
        return True, f"contains {_f(published)}"
    tol = rule.get("tolerance", 0.05 if rule["kind"] == "proportion" else 0.0)
    gap = abs(r.estimate - published)
    if gap <= tol:
        return True, f"within {_f(tol)} of {_f(published)}"
    if tol == 0:
        return False, f"misses {_f(published)}"
    return False, f"misses {_f(published)} (|Δ|={_f(gap)} > {_f(tol)})"


def _proportion_support(rule: dict[str, Any], r: TestResult) -> tuple[bool, str] | None:
    direction = rule.get("direction")
    if direction is None:
        return None
    threshold = rule["threshold"]
    if rule.get("significant", True) and r.ci_low is not None and r.ci_high is not None:
        value, what = (r.ci_high, "upper CI") if direction.startswith("<") else (r.ci_low, "lower CI")
    else:
        value, what = r.estimate, "p̂"
    ok = {"<": value < threshold, "<=": value <= threshold, ">": value > threshold, ">=": value >= threshold}[direction]
    return ok, f"{what} {_f(value)} {direction if ok else 'not ' + direction} {_f(threshold)}"


def _directional(rule: dict[str, Any], r: TestResult) -> tuple[bool, str]:
    """Direction + significance + optional minimum |effect| for correlation, difference and trend rules."""
    direction, alpha, min_effect = rule["direction"], rule.get("alpha", 0.05), rule.get("min_effect")
    value = r.effect_size if r.effect_size is not None else r.estimate
    sym = _EFFECT_SYMBOL.get(r.effect_name or "", r.effect_name or _ESTIMATE_SYMBOL.get(r.test, "estimate"))
    shown = f"p={'n/a' if r.p_value is None else f'{r.p_value:.2g}'}"
    if value != r.estimate:
        shown = f"{sym}={_f(value)}, {shown}"
    significant = r.p_value is not None and r.p_value < alpha
    large = min_effect is None or abs(value) >= min_effect
    size_note = "" if min_effect is None else f", |{sym}| {'≥' if large else '<'} {_f(min_effect)}"
    signs = {">": value > 0, "<": value < 0, "!=": value != 0}
    if direction in signs:
        ok = signs[direction] and significant and large
        if ok:
            return True, f"{shown}: {sym} {direction} 0 significant at α={_f(alpha)}{size_note}"
        if not signs[direction]:
            return False, f"{shown}: sign is not {direction} 0"
        if not significant:
            return False, f"{shown}: not significant at α={_f(alpha)}"
        return False, f"{shown}{size_note}"
    opposite = direction.removeprefix("not ")
    shift = signs[opposite] and significant and large
    if shift:
        return False, f"{shown}: significant {sym} {opposite} 0 at α={_f(alpha)}{size_note}"
    return True, f"{shown}: no significant {sym} {opposite} 0 at α={_f(alpha)}{size_note}"


def _association(rule: dict[str, Any], r: TestResult) -> tuple[bool, str]:
    alpha, min_effect = rule.get("alpha", 0.05), rule.get("min_effect", 0.0)
    p = r.p_value if r.p_value is not None else math.nan
    v = r.effect_size if r.effect_size is not None else math.nan
    shown = f"p={p:.2g}, V={_f(v)}"
    significant = p < alpha
    if rule.get("expect", "association") == "independence":
        return (not significant,
                f"{shown}: {'no association' if not significant else 'association'} detected at α={_f(alpha)}")
    if not significant:
        return False, f"{shown}: not significant at α={_f(alpha)}"
    if not v >= min_effect:
        return False, f"{shown}: V < min_effect {_f(min_effect)}"
    return True, f"{shown}: significant at α={_f(alpha)}, V ≥ {_f(min_effect)}"


def _concentration(rule: dict[str, Any], r: TestResult) -> tuple[bool, str]:
    checks = []
    if "min_gini" in rule:
        checks.append((r.estimate >= rule["min_gini"], "Gini", "≥", rule["min_gini"]))
    if "max_share" in rule:
        share = r.details["nonzero_share"]
        checks.append((share <= rule["max_share"], f"non-zero share {_f(share)}", "≤", rule["max_share"]))
    if "min_top_share" in rule:
        share, frac = r.details["top_share"], r.details["top_fraction"]
        checks.append((share >= rule["min_top_share"], f"top-{_f(100 * frac)}% share {_f(share)}", "≥",
                       rule["min_top_share"]))
    text = "; ".join(f"{what} {op if ok else 'not ' + op} {_f(bound)}" for ok, what, op, bound in checks)
    return all(ok for ok, *_ in checks), text


def decide(rule: dict[str, Any], result: TestResult | None, *, missing_fields: Sequence[str] = (),
           missing_share: float = 0.0) -> Decision:
    """Apply a verdict rule to a test result.

    Order: NOT MEASURABLE (required fields absent) → INSUFFICIENT DATA (missing share above
    ``max_missing_share``, no result, or n < ``min_n``) → REPLICATED → SUPPORTED → NOT SUPPORTED.
    """
    validate_rule(rule)
    if missing_fields:
        return Decision(Verdict.NOT_MEASURABLE, f"fields absent: {', '.join(missing_fields)} → NOT MEASURABLE")
    max_missing = rule.get("max_missing_share", 0.5)
    if missing_share > max_missing:
        return Decision(Verdict.INSUFFICIENT_DATA,
                        f"{_f(100 * missing_share)}% of values missing (> {_f(100 * max_missing)}%) → INSUFFICIENT DATA")
    if result is None:
        return Decision(Verdict.INSUFFICIENT_DATA, "no test result (too few usable observations) → INSUFFICIENT DATA")
    kind = rule["kind"]
    if result.test not in _KINDS[kind][2]:
        raise ValueError(f"{kind} rule cannot judge a {result.test!r} result")
    min_n = rule.get("min_n", 30)
    if result.n < min_n:
        return Decision(Verdict.INSUFFICIENT_DATA, f"n={result.n} < min_n={min_n} → INSUFFICIENT DATA")

    if kind == "proportion":
        support = _proportion_support(rule, result)
    elif kind == "association":
        support = _association(rule, result)
    elif kind == "concentration":
        support = _concentration(rule, result)
    else:
        support = _directional(rule, result)
    replication = _replication(rule, result)
    needs_support = kind in {"correlation", "trend"}
    if replication is not None and replication[0] and (not needs_support or support[0]):
        label = Verdict.REPLICATED
    elif support is not None and support[0]:
        label = Verdict.SUPPORTED
    else:
        label = Verdict.NOT_SUPPORTED
    estimate = f"{_ESTIMATE_SYMBOL[result.test]}={_f(result.estimate)}"
    if result.ci_low is not None and result.ci_high is not None:
        estimate += f" [{_f(result.ci_low)}, {_f(result.ci_high)}]"
    if replication is not None:
        estimate += f" {replication[1]}"
    reason = "; ".join([estimate] + ([support[1]] if support is not None else []))
    return Decision(label, f"{reason} → {label.value}")


_COMBINE_ORDER = [Verdict.NOT_SUPPORTED, Verdict.NOT_COMPARABLE, Verdict.NOT_MEASURABLE, Verdict.INSUFFICIENT_DATA,
                  Verdict.SUPPORTED, Verdict.REPLICATED]


def combine(decisions: Iterable[Decision]) -> Decision:
    """AND of several parts of one claim (three-valued logic): any NOT SUPPORTED part refutes the claim;
    otherwise a part measured on a frame that does not cover the claim's population makes it NOT COMPARABLE,
    then NOT MEASURABLE, then INSUFFICIENT DATA win; it is REPLICATED only if every part is."""
    parts = list(decisions)
    if not parts:
        raise ValueError("combine needs at least one decision")
    label = min((d.label for d in parts), key=_COMBINE_ORDER.index)
    return Decision(label, " AND ".join(d.reason for d in parts))


_DISPLAY_ORDER = [Verdict.REPLICATED, Verdict.SUPPORTED, Verdict.NOT_SUPPORTED, Verdict.NOT_COMPARABLE,
                  Verdict.INSUFFICIENT_DATA, Verdict.NOT_MEASURABLE]
COMBINATION_RULE = ("the claim holds only if every part does: NOT SUPPORTED if any part is; else NOT COMPARABLE, "
                    "NOT MEASURABLE, then INSUFFICIENT DATA if any part is; REPLICATED only if every part is; "
                    "else SUPPORTED")
"""How :func:`combine` turns the parts' verdicts into the claim's, in words (shown beside the summary)."""


def summarise(parts: Sequence[tuple[Verdict, str]]) -> str:
    """The parts' verdicts counted, e.g. ``2 of 3 parts SUPPORTED · 1 NOT MEASURABLE (needs dataset.size)``.

    ``parts`` holds each part's label and a short note (what it needs, why it is not comparable), shown in
    brackets after its group; labels run from REPLICATED to NOT MEASURABLE."""
    if not parts:
        return "no tested part"
    groups = [(label, [note for lab, note in parts if lab == label]) for label in _DISPLAY_ORDER]
    groups = [(label, notes) for label, notes in groups if notes]
    out = []
    for i, (label, notes) in enumerate(groups):
        count = f"{len(notes)} of {len(parts)} part{'s' if len(parts) > 1 else ''}" if i == 0 else f"{len(notes)}"
        shown = "; ".join(dict.fromkeys(n for n in notes if n))
        out.append(f"{count} {label.value}" + (f" ({shown})" if shown else ""))
    return " · ".join(out)


_STAT_WORDS = {"proportion": "share p̂", "spearman": "Spearman ρ", "mann_whitney": "Mann–Whitney U",
               "wilcoxon_paired": "median paired difference Δ", "sign_test": "share of positive differences",
               "mcnemar": "discordant share b/(b+c)", "chi_square": "χ²", "mann_kendall": "Sen slope",
               "ols_trend": "OLS slope", "gini": "Gini", "count": "count"}


def statistic(test: str) -> str:
    """The quantity an estimate measures, in words with its symbol (``share p̂``, ``Spearman ρ``, ``count``)."""
    return _STAT_WORDS.get(test, test)


def published_value(rule: dict[str, Any], result: TestResult | None = None) -> str:
    """The published number a part's estimate is compared with, in the estimate's unit ('' if none): the
    rule's ``published`` value or range, or for a count checked against a published count, that count."""
    if result is not None and "expected" in result.details:
        return f"{result.details['expected']:,}"
    published = rule.get("published")
    if published is None:
        return ""
    if isinstance(published, (list, tuple)):
        return f"[{_f(published[0])}, {_f(published[1])}]"
    tol = rule.get("tolerance", 0.05 if rule.get("kind") == "proportion" else 0.0)
    return _f(published) + (f" ± {_f(tol)}" if tol else "")


def tested(rule: dict[str, Any], test: str) -> str:
    """What a part's rule asks of its estimate, in words (``p̂ > 0.5``, ``ρ > 0 at α=0.05, |ρ| ≥ 0.5``)."""
    kind, alpha = rule.get("kind"), _f(rule.get("alpha", 0.05))
    sym = _ESTIMATE_SYMBOL.get(test, "estimate")
    if kind == "proportion":
        if "direction" not in rule:
            return f"{sym} ≈ published"
        bound = "CI" if rule.get("significant", True) else "point estimate"
        return f"{sym} {rule['direction']} {_f(rule['threshold'])} ({bound})"
    if kind == "association":
        expect = rule.get("expect", "association")
        size = f", V ≥ {_f(rule['min_effect'])}" if rule.get("min_effect") and expect == "association" else ""
        return f"{expect} (χ² at α={alpha}{size})"
    if kind == "concentration":
        checks = [(f"Gini ≥ {_f(rule['min_gini'])}" if "min_gini" in rule else ""),
                  (f"non-zero share ≤ {_f(rule['max_share'])}" if "max_share" in rule else ""),
                  (f"top share ≥ {_f(rule['min_top_share'])}" if "min_top_share" in rule else "")]
        return "; ".join(c for c in checks if c)
    direction = rule.get("direction", "")
    sym = "effect" if kind == "difference" else sym
    size = f", |effect| ≥ {_f(rule['min_effect'])}" if rule.get("min_effect") else ""
    return f"{sym} {direction} 0 at α={alpha}{size}" if not direction.startswith("not") else \
        f"no significant {sym} {direction.removeprefix('not ')} 0 at α={alpha}"
