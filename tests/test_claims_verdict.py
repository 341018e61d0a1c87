"""Verdict rule engine: every branch of every rule kind, with hand-worked inputs."""
import numpy as np
import pytest

from ptmkg.claims.stats import TestResult, chi_square, gini, mcnemar, proportion, spearman, trend
from ptmkg.claims.verdict import (
    Decision,
    Replication,
    ReplicationDecision,
    Verdict,
    combine,
    combine_replication,
    decide,
    not_comparable,
    replication_check,
    validate_rule,
)

V = Verdict
ART01 = {"kind": "proportion", "published": 0.27, "tolerance": 0.05, "direction": "<", "threshold": 0.5, "min_n": 30}


def prop(est, lo, hi, n=100):
    return TestResult("proportion", n, est, lo, hi)


def corr(rho, lo, hi, p, n=100):
    return TestResult("spearman", n, rho, lo, hi, p, rho, "spearman_rho")


def diff(delta, p, n=100, test="mann_whitney"):
    return TestResult(test, n, 1234.0, None, None, p, delta, "cliffs_delta")


def conc(g, lo, hi, nonzero, top, n=1000):
    return TestResult("gini", n, g, lo, hi, None, g, "gini",
                      {"nonzero_share": nonzero, "top_share": top, "top_fraction": 0.01})


def test_labels_are_catalog_strings():
    assert [v.value for v in Verdict] == ["REPLICATED", "SUPPORTED", "NOT SUPPORTED", "INSUFFICIENT DATA",
                                          "NOT MEASURABLE", "NOT COMPARABLE"]
    assert [r.value for r in Replication] == ["REPLICATED", "DIFFERS", "NOT REPLICABLE", "NOT RUN"]
    assert Verdict("NOT SUPPORTED") is V.NOT_SUPPORTED and V.SUPPORTED == "SUPPORTED"


# ---------------------------------------------------------------- gatekeeping (all kinds)


def test_not_measurable_names_fields_and_wins():
    d = decide(ART01, None, missing_fields=["paper.sharesModel", "paper.year"], missing_share=0.9)
    assert d == Decision(V.NOT_MEASURABLE, "fields absent: paper.sharesModel, paper.year → NOT MEASURABLE")


def test_missing_share_threshold():
    r = proportion(79, 293)
    d = decide(ART01, r, missing_share=0.62)
    assert d.label is V.INSUFFICIENT_DATA and d.reason == "62% of values missing (> 50%) → INSUFFICIENT DATA"
    assert decide(ART01, r, missing_share=0.5).label is V.REPLICATED  # exactly 50% is allowed
    assert decide({**ART01, "max_missing_share": 0.2}, r, missing_share=0.3).label is V.INSUFFICIENT_DATA


def test_no_result_and_small_n():
    assert decide(ART01, None).label is V.INSUFFICIENT_DATA
    d = decide(ART01, proportion(8, 29))
    assert d == Decision(V.INSUFFICIENT_DATA, "n=29 < min_n=30 → INSUFFICIENT DATA")
    assert decide(ART01, proportion(8, 30)).label is V.REPLICATED  # n == min_n passes; 8/30 = 0.267
    assert decide({**ART01, "min_n": 10}, proportion(8, 29)).label is V.REPLICATED
    assert decide({"kind": "difference", "direction": ">"}, diff(0.5, 0.001, n=29)).label is V.INSUFFICIENT_DATA


@pytest.mark.parametrize("rule, match", [
    ({"kind": "ratio"}, "unknown rule kind"),
    ({"kind": "proportion", "published": 0.2, "treshold": 0.5}, "unknown keys"),
    ({"kind": "correlation"}, "needs keys"),
    ({"kind": "proportion", "direction": "<"}, "together"),
    ({"kind": "proportion"}, "published or direction"),
    ({"kind": "proportion", "direction": "!=", "threshold": 0.5}, "proportion direction"),
    ({"kind": "trend", "direction": "up"}, "direction"),
    ({"kind": "association", "expect": "none"}, "expect"),
    ({"kind": "concentration"}, "min_gini"),
    ({"kind": "proportion", "published": [0.3, 0.2]}, "range"),
    ({"kind": "difference", "direction": ">", "published": 0.3}, "unknown keys"),
    ({"kind": "trend", "direction": ">", "min_effect": 0.1}, "unknown keys"),
])
def test_invalid_rules_raise(rule, match):
    with pytest.raises(ValueError, match=match):
        validate_rule(rule)
    with pytest.raises(ValueError):
        decide(rule, None, missing_fields=["x"])  # rule errors are raised even when the data are absent


def test_rule_kind_must_fit_the_test():
    with pytest.raises(ValueError, match="cannot judge"):
        decide({"kind": "correlation", "direction": ">"}, prop(0.3, 0.2, 0.4))


# ---------------------------------------------------------------- proportion


def test_proportion_replicated_art01_exact_reason():
    d = decide(ART01, proportion(79, 293, p0=0.27))
    assert d == Decision(V.REPLICATED, "p̂=0.27 [0.222, 0.323] contains 0.27; upper CI 0.323 < 0.5 → REPLICATED")


def test_proportion_replicated_by_tolerance_only():
    # CI [0.27, 0.33] misses 0.34 but |0.30 - 0.34| = 0.04 ≤ default 5pp
    r = prop(0.30, 0.27, 0.33, n=1000)
    rule = {"kind": "proportion", "published": 0.34}
    assert decide(rule, r) == Decision(V.REPLICATED, "p̂=0.3 [0.27, 0.33] within 0.05 of 0.34 → REPLICATED")
    d = decide({**rule, "tolerance": 0.02}, r)  # 0.04 > 0.02 and no direction → NOT SUPPORTED
    assert d == Decision(V.NOT_SUPPORTED, "p̂=0.3 [0.27, 0.33] misses 0.34 (|Δ|=0.04 > 0.02) → NOT SUPPORTED")


def test_proportion_published_range():
    rule = {"kind": "proportion", "published": [0.19, 0.29], "direction": "<", "threshold": 0.5}
    assert decide(rule, prop(0.25, 0.2, 0.3)).label is V.REPLICATED
    d = decide(rule, prop(0.35, 0.3, 0.4))  # outside the range, but the CI is below 50%
    assert d == Decision(V.SUPPORTED,
                         "p̂=0.35 [0.3, 0.4] outside published range [0.19, 0.29]; upper CI 0.4 < 0.5 → SUPPORTED")


def test_proportion_supported_needs_ci_to_clear_threshold():
    rule = {"kind": "proportion", "published": 0.27, "direction": "<", "threshold": 0.5}
    # p̂ = 0.45 < 0.5 but the CI reaches 0.52: not significant
    d = decide(rule, prop(0.45, 0.40, 0.52))
    assert d == Decision(V.NOT_SUPPORTED,
                         "p̂=0.45 [0.4, 0.52] misses 0.27 (|Δ|=0.18 > 0.05); upper CI 0.52 not < 0.5 → NOT SUPPORTED")
    # descriptive threshold on the point estimate
    d = decide({**rule, "significant": False}, prop(0.45, 0.40, 0.52))
    assert d.label is V.SUPPORTED and d.reason.endswith("p̂ 0.45 < 0.5 → SUPPORTED")


def test_proportion_not_supported_when_direction_fails():
    rule = {"kind": "proportion", "published": 0.27, "direction": "<", "threshold": 0.5}
    assert decide(rule, proportion(170, 300)).label is V.NOT_SUPPORTED  # p̂ = 0.567 ≥ 0.5


def test_proportion_inclusive_and_strict_thresholds():
    r = prop(0.30, 0.25, 0.35)
    assert decide({"kind": "proportion", "direction": ">=", "threshold": 0.25}, r).label is V.SUPPORTED
    assert decide({"kind": "proportion", "direction": ">", "threshold": 0.25}, r).label is V.NOT_SUPPORTED
    assert decide({"kind": "proportion", "direction": "<=", "threshold": 0.35}, r).label is V.SUPPORTED
    assert decide({"kind": "proportion", "direction": "<", "threshold": 0.35}, r).label is V.NOT_SUPPORTED


# ---------------------------------------------------------------- correlation


def test_correlation_branches():
    rule = {"kind": "correlation", "direction": ">", "alpha": 0.05, "published": 0.4, "min_effect": 0.3}
    assert decide(rule, corr(0.42, 0.33, 0.50, 1e-6)) == Decision(
        V.REPLICATED, "ρ=0.42 [0.33, 0.5] contains 0.4; p=1e-06: ρ > 0 significant at α=0.05, |ρ| ≥ 0.3 → REPLICATED")
    assert decide(rule, corr(0.60, 0.52, 0.68, 1e-9)).label is V.SUPPORTED  # CI misses 0.4
    # the CI contains 0.4 but rho is not significant: a wide CI does not replicate
    d = decide(rule, corr(0.25, -0.05, 0.52, 0.09))
    assert d.label is V.NOT_SUPPORTED and "not significant at α=0.05" in d.reason
    d = decide(rule, corr(0.2, 0.15, 0.25, 1e-4))  # significant but weaker than min_effect
    assert d.label is V.NOT_SUPPORTED and "|ρ| < 0.3" in d.reason
    d = decide(rule, corr(-0.5, -0.6, -0.4, 1e-5))
    assert d.label is V.NOT_SUPPORTED and "sign is not > 0" in d.reason
    assert decide({"kind": "correlation", "direction": "!="}, corr(-0.5, -0.6, -0.4, 1e-5)).label is V.SUPPORTED
    assert decide({"kind": "correlation", "direction": "<"}, corr(-0.5, -0.6, -0.4, 1e-5)).label is V.SUPPORTED


def test_correlation_tolerance_and_missing_p():
    rule = {"kind": "correlation", "direction": ">", "published": 0.4, "tolerance": 0.1}
    assert decide(rule, corr(0.49, 0.45, 0.53, 1e-9)).label is V.REPLICATED  # |0.49 - 0.4| ≤ 0.1
    assert decide(rule, corr(0.6, 0.55, 0.65, None)).label is V.NOT_SUPPORTED  # no p-value: not significant


def test_correlation_on_real_spearman():
    x = np.arange(40.0)
    r = spearman(x, x ** 2, n_boot=200)  # monotone: rho = 1, CI = [1, 1]
    assert decide({"kind": "correlation", "direction": ">", "published": 1.0}, r).label is V.REPLICATED


# ---------------------------------------------------------------- difference


def test_difference_branches():
    rule = {"kind": "difference", "direction": ">", "alpha": 0.05, "min_effect": 0.1}
    assert decide(rule, diff(0.3, 0.001)) == Decision(
        V.SUPPORTED, "U=1.23e+03; δ=0.3, p=0.001: δ > 0 significant at α=0.05, |δ| ≥ 0.1 → SUPPORTED")
    assert decide(rule, diff(0.05, 0.001)) == Decision(
        V.NOT_SUPPORTED, "U=1.23e+03; δ=0.05, p=0.001, |δ| < 0.1 → NOT SUPPORTED")
    assert decide(rule, diff(-0.3, 0.001)).label is V.NOT_SUPPORTED
    assert decide(rule, diff(0.3, 0.2)).label is V.NOT_SUPPORTED
    assert decide({**rule, "alpha": 0.01}, diff(0.3, 0.02)).label is V.NOT_SUPPORTED
    assert decide({"kind": "difference", "direction": "<"}, diff(-0.3, 0.001)).label is V.SUPPORTED


def test_difference_absence_directions():
    rule = {"kind": "difference", "direction": "not >"}
    d = decide(rule, diff(0.3, 0.2))
    assert d.label is V.SUPPORTED and "no significant δ > 0" in d.reason
    assert decide(rule, diff(-0.3, 0.001)).label is V.SUPPORTED  # significant decrease is not an increase
    d = decide(rule, diff(0.3, 0.001))
    assert d.label is V.NOT_SUPPORTED and "significant δ > 0" in d.reason
    assert decide({"kind": "difference", "direction": "not <"}, diff(-0.3, 0.001)).label is V.NOT_SUPPORTED


def test_difference_on_real_mcnemar():
    # ART-03 style: code-only 30 vs model-only 10 discordant papers out of 293; p = 0.0027
    r = mcnemar(30, 10, n_pairs=293)
    d = decide({"kind": "difference", "direction": ">"}, r)
    assert d.label is V.SUPPORTED and "sign effect=0.5, p=0.0027" in d.reason
    assert decide({"kind": "difference", "direction": ">"}, mcnemar(12, 10, n_pairs=293)).label is V.NOT_SUPPORTED


# ---------------------------------------------------------------- association


def test_association_branches():
    r = chi_square([[20, 10], [10, 20]])  # chi2 = 6.67, p = 0.0098, V = 1/3
    assert decide({"kind": "association", "min_n": 30}, r) == Decision(
        V.SUPPORTED, "χ²=6.67; p=0.0098, V=0.333: significant at α=0.05, V ≥ 0 → SUPPORTED")
    assert decide({"kind": "association", "min_effect": 0.4}, r).label is V.NOT_SUPPORTED  # V = 0.333 < 0.4
    assert decide({"kind": "association", "alpha": 0.005}, r).label is V.NOT_SUPPORTED  # p = 0.0098 ≥ 0.005
    d = decide({"kind": "association", "expect": "independence"}, r)
    assert d.label is V.NOT_SUPPORTED and "association detected" in d.reason
    flat = chi_square([[15, 15], [15, 15]])  # chi2 = 0, p = 1
    d = decide({"kind": "association", "expect": "independence"}, flat)
    assert d.label is V.SUPPORTED and "no association detected" in d.reason
    assert decide({"kind": "association"}, flat).label is V.NOT_SUPPORTED


# ---------------------------------------------------------------- trend


def test_trend_branches_on_real_series():
    up = trend(np.arange(30), np.arange(30.0))  # S = 435, slope 1
    down = trend(np.arange(30), -np.arange(30.0))
    flat = trend(np.arange(30), np.tile([1.0, 2.0], 15))
    # 1,2,1,2,...: (15+14+...+1) = 120 rising pairs minus (14+...+1) = 105 falling pairs
    assert flat.details["S"] == 15 and flat.p_value > 0.05
    assert decide({"kind": "trend", "direction": ">"}, up).label is V.SUPPORTED
    assert decide({"kind": "trend", "direction": ">"}, down).label is V.NOT_SUPPORTED
    assert decide({"kind": "trend", "direction": ">"}, flat).label is V.NOT_SUPPORTED
    assert decide({"kind": "trend", "direction": "<"}, down).label is V.SUPPORTED
    # DOC-02 style: "no significant positive trend"
    assert decide({"kind": "trend", "direction": "not >"}, flat).label is V.SUPPORTED
    assert decide({"kind": "trend", "direction": "not >"}, down).label is V.SUPPORTED
    assert decide({"kind": "trend", "direction": "not >"}, up).label is V.NOT_SUPPORTED
    # published slope: replicated only together with the direction
    assert decide({"kind": "trend", "direction": ">", "published": 1.0}, up).label is V.REPLICATED
    assert decide({"kind": "trend", "direction": ">", "published": 2.0}, up).label is V.SUPPORTED


# ---------------------------------------------------------------- concentration


def test_concentration_branches():
    rule = {"kind": "concentration", "min_gini": 0.8, "max_share": 0.05, "min_top_share": 0.9}
    assert decide(rule, conc(0.95, 0.94, 0.96, 0.03, 0.97)) == Decision(
        V.SUPPORTED, "Gini=0.95 [0.94, 0.96]; Gini ≥ 0.8; non-zero share 0.03 ≤ 0.05; top-1% share 0.97 ≥ 0.9"
        " → SUPPORTED")
    d = decide(rule, conc(0.95, 0.94, 0.96, 0.20, 0.97))
    assert d.label is V.NOT_SUPPORTED and "non-zero share 0.2 not ≤ 0.05" in d.reason
    assert decide(rule, conc(0.7, 0.65, 0.75, 0.03, 0.97)).label is V.NOT_SUPPORTED
    assert decide(rule, conc(0.95, 0.94, 0.96, 0.03, 0.5)).label is V.NOT_SUPPORTED
    assert decide({"kind": "concentration", "min_gini": 0.8}, conc(0.8, 0.7, 0.9, 1.0, 0.1)).label is V.SUPPORTED
    r = conc(0.95, 0.94, 0.96, 0.03, 0.97)
    d = decide({"kind": "concentration", "min_gini": 0.8, "published": 0.93}, r)  # outside CI, tolerance 0
    assert d == Decision(V.SUPPORTED, "Gini=0.95 [0.94, 0.96] misses 0.93; Gini ≥ 0.8 → SUPPORTED")
    assert decide({"kind": "concentration", "min_gini": 0.8, "published": 0.93, "tolerance": 0.03}, r).label \
        is V.REPLICATED
    assert decide({"kind": "concentration", "min_gini": 0.8, "published": 0.945}, r).label is V.REPLICATED


def test_concentration_on_real_gini():
    # 90 zeros and 1..10: Σ rank·x = Σ (90+k)·k = 5335 → G = 2·5335/(100·55) - 1.01 = 0.93;
    # non-zero share 10/100; top 1% = one unit holding 10/55
    r = gini([0] * 90 + list(range(1, 11)), n_boot=100)
    assert r.estimate == pytest.approx(0.93)
    assert r.details["nonzero_share"] == pytest.approx(0.1) and r.details["top_share"] == pytest.approx(10 / 55)
    assert decide({"kind": "concentration", "max_share": 0.1}, r).label is V.SUPPORTED
    assert decide({"kind": "concentration", "min_top_share": 0.9}, r).label is V.NOT_SUPPORTED


# ---------------------------------------------------------------- combine


def test_combine_three_valued_and():
    rep, sup = Decision(V.REPLICATED, "a"), Decision(V.SUPPORTED, "b")
    nos, ins, nom = Decision(V.NOT_SUPPORTED, "c"), Decision(V.INSUFFICIENT_DATA, "d"), Decision(V.NOT_MEASURABLE, "e")
    assert combine([rep, rep]) == Decision(V.REPLICATED, "a AND a")
    assert combine([rep, sup]).label is V.SUPPORTED
    assert combine([sup, ins]).label is V.INSUFFICIENT_DATA
    assert combine([ins, nom]).label is V.NOT_MEASURABLE
    assert combine([nom, nos, rep]).label is V.NOT_SUPPORTED
    with pytest.raises(ValueError):
        combine([])


# ---------------------------------------------------------------- frames and replication


def test_not_comparable_keeps_the_estimate_and_names_frame_and_population():
    judged = Decision(V.NOT_SUPPORTED, "p̂=1 [0.998, 1] outside published range [0.6, 0.75] → NOT SUPPORTED")
    d = not_comparable(judged, "hf@2025 (convenience sample)", "52,227 PTLMs [ptlms-2024]")
    assert d.label is V.NOT_COMPARABLE and d.reason.startswith("p̂=1 [0.998, 1]")
    assert "hf@2025 (convenience sample)" in d.reason and "ptlms-2024" in d.reason and "NOT SUPPORTED" not in d.reason
    unjudged = Decision(V.INSUFFICIENT_DATA, "n=3 < min_n=30 → INSUFFICIENT DATA")
    assert not_comparable(unjudged, "f", "p") == unjudged
    nom = Decision(V.NOT_MEASURABLE, "x")
    assert combine([d, Decision(V.SUPPORTED, "s")]).label is V.NOT_COMPARABLE
    assert combine([d, unjudged]).label is V.NOT_COMPARABLE and combine([d, nom]).label is V.NOT_COMPARABLE
    assert combine([d, judged]).label is V.NOT_SUPPORTED  # a refuting part on a covering frame still refutes


def test_replication_check_reads_published_values_and_directions():
    from ptmkg.claims.stats import proportion

    with_value = {"kind": "proportion", "published": 0.27, "direction": "<", "threshold": 0.5}
    assert replication_check(with_value, decide(with_value, proportion(27, 100))).label is Replication.REPLICATED
    # direction holds (SUPPORTED) but the published value is missed: the paper's number is not reproduced
    assert replication_check(with_value, decide(with_value, proportion(10, 100))).label is Replication.DIFFERS
    direction = {"kind": "proportion", "direction": ">", "threshold": 0.5}
    assert replication_check(direction, decide(direction, proportion(80, 100))).label is Replication.REPLICATED
    assert replication_check(direction, decide(direction, proportion(20, 100))).label is Replication.DIFFERS
    assert replication_check(direction, decide(direction, None)).label is Replication.NOT_REPLICABLE
    r, d, x = (ReplicationDecision(lab, "") for lab in (Replication.REPLICATED, Replication.DIFFERS,
                                                          Replication.NOT_REPLICABLE))
    assert combine_replication([r, x]) is Replication.REPLICATED
    assert combine_replication([r, d, x]) is Replication.DIFFERS and combine_replication([x]) is Replication.NOT_REPLICABLE


def test_summary_counts_the_parts_and_says_what_is_missing():
    from ptmkg.claims.verdict import summarise

    parts = [(V.SUPPORTED, ""), (V.NOT_MEASURABLE, "needs dataset.size"), (V.SUPPORTED, "")]
    assert summarise(parts) == "2 of 3 parts SUPPORTED · 1 NOT MEASURABLE (needs dataset.size)"
    assert summarise([(V.NOT_MEASURABLE, "needs a"), (V.NOT_MEASURABLE, "needs b"), (V.NOT_MEASURABLE, "needs a"),
                      (V.NOT_SUPPORTED, "")]) == "1 of 4 parts NOT SUPPORTED · 3 NOT MEASURABLE (needs a; needs b)"
    assert summarise([(V.REPLICATED, "")]) == "1 of 1 part REPLICATED"
    assert summarise([]) == "no tested part"


def test_published_value_and_test_are_in_the_estimates_unit():
    from ptmkg.claims.verdict import published_value, tested

    share = {"kind": "proportion", "published": 0.27, "direction": "<", "threshold": 0.5}
    assert published_value(share) == "0.27 ± 0.05" and tested(share, "proportion") == "p̂ < 0.5 (CI)"
    assert published_value({"kind": "proportion", "published": [0.6, 0.75]}) == "[0.6, 0.75]"
    assert published_value({"kind": "correlation", "direction": ">"}) == ""  # a direction only
    counted = TestResult("proportion", 100, 0.9, 0.8, 0.95, None, details={"count": 90, "expected": 100})
    assert published_value({"kind": "proportion", "published": 1.0}, counted) == "100"  # a count with a count
    assert tested({"kind": "correlation", "direction": ">", "min_effect": 0.5}, "spearman") == \
        "ρ > 0 at α=0.05, |effect| ≥ 0.5"
    assert tested({"kind": "trend", "direction": "not >"}, "mann_kendall") == "no significant Sen slope > 0 at α=0.05"
