"""Statistical tests checked against hand-computed and textbook values."""
import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from ptmkg.claims.stats import (
    InsufficientDataError,
    TestResult,
    adjust,
    benjamini_hochberg,
    chi_square,
    gini,
    holm,
    mann_whitney,
    mcnemar,
    proportion,
    sign_test,
    spearman,
    trend,
    trend_regression,
    wilcoxon_paired,
)

# ---------------------------------------------------------------- proportion


def test_wilson_ci_for_art01_matches_catalog():
    # catalog ART-01: Wilson 95% CI for 79/293 = [22.2%, 32.3%]
    r = proportion(79, 293, p0=0.27)
    assert r.details["ci_method"] == "wilson"
    assert r.estimate == pytest.approx(79 / 293)
    assert round(r.ci_low, 3) == 0.222 and round(r.ci_high, 3) == 0.323
    assert r.p_value == pytest.approx(1.0)  # 79 is the most likely count under p=0.27 (0.27*293 = 79.1)


def test_wilson_by_hand_formula():
    # 30/100, z = 1.959964: centre = (0.3 + z²/200)/(1 + z²/100), half = z·sqrt(0.0021 + z²/40000)/(1 + z²/100)
    z = 1.959963984540054
    centre = (0.3 + z * z / 200) / (1 + z * z / 100)
    half = z * math.sqrt(0.3 * 0.7 / 100 + z * z / 40000) / (1 + z * z / 100)
    r = proportion(30, 100)
    assert (r.ci_low, r.ci_high) == pytest.approx((centre - half, centre + half))
    assert round(r.ci_low, 4) == 0.2189 and round(r.ci_high, 4) == 0.3958
    assert r.p_value is None and r.effect_size is None


def test_clopper_pearson_for_small_counts():
    # textbook exact 95% CI for 2/10: [0.0252, 0.5561]
    r = proportion(2, 10, p0=0.5)
    assert r.details["ci_method"] == "clopper-pearson"
    assert round(r.ci_low, 4) == 0.0252 and round(r.ci_high, 4) == 0.5561
    # two-sided exact binomial: 2·P(X ≤ 2 | 10, 0.5) = 2·(1 + 10 + 45)/1024
    assert r.p_value == pytest.approx(112 / 1024)
    # Cohen's h = 2 asin(sqrt .2) - 2 asin(sqrt .5)
    assert r.effect_size == pytest.approx(2 * math.asin(math.sqrt(0.2)) - math.pi / 2)


def test_clopper_pearson_when_few_failures_and_edges():
    assert proportion(96, 100).details["ci_method"] == "clopper-pearson"  # n - k = 4
    zero = proportion(0, 20)
    assert zero.ci_low == 0.0 and zero.ci_high == pytest.approx(1 - 0.025 ** (1 / 20))  # (1 - (α/2)^(1/n))
    full = proportion(20, 20)
    assert full.ci_high == 1.0 and full.ci_low == pytest.approx(0.025 ** (1 / 20))


def test_binomial_test_asymmetric_case():
    # k=1, n=10, p0=0.3: P(X=1)=0.1210608; two-sided (min-likelihood) sums outcomes with pmf ≤ that:
    # X=0 (0.0282475), X=1, X≥5 (P(X=5)=252·.3⁵·.7⁵=0.1029193 ≤ P(X=1); P(X≥5)=0.1502683) → 0.2995767
    assert proportion(1, 10, p0=0.3).p_value == pytest.approx(0.0282475249 + 0.121060821 + 0.1502683326, abs=1e-6)


def test_proportion_rejects_bad_counts():
    with pytest.raises(InsufficientDataError):
        proportion(0, 0)
    with pytest.raises(ValueError):
        proportion(11, 10)


# ---------------------------------------------------------------- spearman


def test_spearman_hand_example():
    # ranks differ by d = [-1, 1, -1, 1, 0] → rho = 1 - 6·4/(5·24) = 0.8
    r = spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    assert r.estimate == pytest.approx(0.8) and r.effect_size == pytest.approx(0.8)
    t = 0.8 * math.sqrt(3 / (1 - 0.64))
    assert r.p_value == pytest.approx(2 * sps.t.sf(t, 3))
    assert r.ci_low <= 0.8 <= r.ci_high <= 1.0


def test_spearman_bootstrap_matches_naive_loop_and_is_seeded():
    rng = np.random.default_rng(5)
    x = rng.normal(size=40)
    y = x + rng.normal(size=40)
    r = spearman(x, y, n_boot=300, seed=11)
    idx = np.random.default_rng(11).integers(0, 40, size=(300, 40))
    naive = np.array([sps.spearmanr(x[i], y[i]).statistic for i in idx])
    assert (r.ci_low, r.ci_high) == pytest.approx(tuple(np.percentile(naive, [2.5, 97.5])))
    assert spearman(x, y, n_boot=300, seed=11) == r
    assert spearman(x, y, n_boot=300, seed=12).ci_low != r.ci_low


def test_spearman_drops_incomplete_pairs_and_needs_three():
    r = spearman([1, 2, np.nan, 4, 5], [1, 2, 3, None, 5], n_boot=50)
    assert r.n == 3 and r.details["n_dropped"] == 2 and r.estimate == pytest.approx(1.0)
    with pytest.raises(InsufficientDataError):
        spearman([1, 2], [2, 1])


def test_spearman_accepts_polars():
    r = spearman(pl.Series([3, 1, 2]), pl.Series([30, 10, 20]), n_boot=20)
    assert r.estimate == pytest.approx(1.0)


# ---------------------------------------------------------------- mann-whitney


def test_mann_whitney_cliffs_delta_by_hand():
    # a=[1,2,3], b=[2,4]: a>b once (3>2), a<b four times, one tie → δ = (1-4)/6 = -0.5; U = 1 + 0.5 = 1.5
    r = mann_whitney([1, 2, 3], [2, 4])
    assert r.estimate == 1.5 and r.details["U"] == 1.5
    assert r.effect_size == pytest.approx(-0.5) and r.effect_name == "cliffs_delta"
    assert r.details["rank_biserial"] == pytest.approx(-0.5)
    assert r.n == 5 and r.details["median_a"] == 2 and r.details["median_b"] == 3


def test_mann_whitney_complete_separation():
    # every a exceeds every b: δ = 1; exact two-sided p = 2/C(8,4) = 2/70
    r = mann_whitney([5, 6, 7, 8], [1, 2, 3, 4])
    assert r.effect_size == 1.0 and r.estimate == 16
    assert r.p_value == pytest.approx(2 / 70)


def test_mann_whitney_empty_group():
    with pytest.raises(InsufficientDataError):
        mann_whitney([1, 2], [np.nan])


# ---------------------------------------------------------------- chi-square


def test_chi_square_cramers_v_by_hand():
    # expected 15 everywhere: chi2 = 4·25/15 = 6.667, V = sqrt(6.667/60) = 1/3
    r = chi_square([[20, 10], [10, 20]])
    assert r.estimate == pytest.approx(20 / 3) and r.effect_size == pytest.approx(1 / 3)
    assert r.p_value == pytest.approx(sps.chi2.sf(20 / 3, 1)) and r.details["dof"] == 1
    assert r.n == 60 and "fisher_p" in r.details


def test_chi_square_unbalanced_2x2_equals_abs_phi():
    # [[10,20],[30,40]]: chi2 = 4/12 + 4/18 + 4/28 + 4/42; |phi| = 200 / sqrt(30·70·40·60)
    r = chi_square(np.array([[10, 20], [30, 40]]))
    assert r.estimate == pytest.approx(4 / 12 + 4 / 18 + 4 / 28 + 4 / 42)
    assert r.effect_size == pytest.approx(200 / math.sqrt(30 * 70 * 40 * 60))


def test_chi_square_drops_empty_rows_and_needs_2x2():
    r = chi_square([[20, 10, 0], [0, 0, 0], [10, 20, 0]])
    assert r.details["shape"] == (2, 2) and r.effect_size == pytest.approx(1 / 3)
    with pytest.raises(InsufficientDataError):
        chi_square([[5, 6], [0, 0]])


def test_chi_square_3x2_uses_min_dimension():
    # perfect association in a 3x3 diagonal: V = 1 (chi2 = n·(k-1))
    r = chi_square(np.diag([10, 10, 10]))
    assert r.estimate == pytest.approx(60) and r.effect_size == pytest.approx(1.0) and r.details["dof"] == 4


# ---------------------------------------------------------------- paired


def test_wilcoxon_by_hand():
    # d = [1, 2, -3, 4, 5]: W+ = 12, W- = 3, r = 9/15; exact p = 2·#{subsets with sum ≤ 3}/32 = 10/32
    r = wilcoxon_paired([1, 2, -3, 4, 5, 7], [0, 0, 0, 0, 0, 7])
    assert r.details["W_plus"] == 12 and r.details["W_minus"] == 3 and r.details["n_zero"] == 1
    assert r.effect_size == pytest.approx(0.6)
    assert r.p_value == pytest.approx(10 / 32)
    assert r.estimate == pytest.approx(1.5) and r.n == 6  # median of [1,2,-3,4,5,0]


def test_wilcoxon_all_ties():
    with pytest.raises(InsufficientDataError):
        wilcoxon_paired([1, 2], [1, 2])


def test_sign_test_by_hand():
    # 4 positive, 1 negative, 1 zero: p = 2·P(X ≥ 4 | 5, .5) = 2·6/32
    r = sign_test([1, 2, -3, 4, 5, 0], [0] * 6)
    assert r.p_value == pytest.approx(12 / 32) and r.estimate == pytest.approx(0.8)
    assert r.effect_size == pytest.approx(0.6) and r.details["n_zero"] == 1


def test_mcnemar_exact_small_counts():
    r = mcnemar(1, 9)  # 2·(1 + 10)/1024
    assert r.details["method"] == "exact" and r.p_value == pytest.approx(22 / 1024)
    assert r.effect_size == pytest.approx(-0.8) and r.details["odds_ratio"] == pytest.approx(1 / 9)
    assert mcnemar(2, 8, n_pairs=293).n == 293


def test_mcnemar_chi_square_with_continuity_correction():
    # (|30-10| - 1)² / 40 = 9.025
    r = mcnemar(30, 10)
    assert r.details["method"] == "chi2-cc" and r.details["chi2"] == pytest.approx(9.025)
    assert r.p_value == pytest.approx(sps.chi2.sf(9.025, 1)) and round(r.p_value, 4) == 0.0027


def test_mcnemar_no_discordant_pairs():
    with pytest.raises(InsufficientDataError):
        mcnemar(0, 0, n_pairs=50)


# ---------------------------------------------------------------- trends


def test_mann_kendall_s_and_sen_slope_by_hand():
    # y = [1,3,2,5,4]: 8 concordant, 2 discordant pairs → S = 6; Var = 5·4·15/18; Z = (6-1)/sqrt(Var)
    r = trend([0, 1, 2, 3, 4], [1, 3, 2, 5, 4])
    assert r.details["S"] == 6 and r.details["var_S"] == pytest.approx(100 / 6)
    assert r.p_value == pytest.approx(2 * sps.norm.sf(5 / math.sqrt(100 / 6)))
    assert r.effect_size == pytest.approx(0.6)
    # pairwise slopes sorted: -1,-1,1/3,.5,.75,1,1,4/3,2,3 → median 0.875
    assert r.estimate == pytest.approx(0.875)


def test_mann_kendall_ties_in_values_reduce_variance():
    # y = [1,1,2,3]: S = 5; Var = (4·3·13 - 2·1·9)/18 = 138/18
    r = trend([1, 2, 3, 4], [1, 1, 2, 3])
    assert r.details["S"] == 5 and r.details["var_S"] == pytest.approx(138 / 18)


def test_mann_kendall_on_dates_uses_months():
    # Jan, Feb, Mar, May 2023 → month offsets 0,1,2,4; y rises 1 per month
    dates = pl.Series([dt.date(2023, 1, 5), dt.date(2023, 2, 5), dt.date(2023, 3, 1), dt.date(2023, 5, 31)])
    r = trend(dates, [10, 11, 12, 14])
    assert r.details["time_unit"] == "month" and r.estimate == pytest.approx(1.0) and r.details["S"] == 6
    r2 = trend([dt.date(2022, 12, 1), dt.date(2023, 6, 1), dt.date(2024, 12, 1)], [0, 6, 24])
    assert r2.estimate == pytest.approx(1.0)  # slopes 1, 1, 1 per month


def test_trend_decreasing_and_degenerate():
    r = trend(np.arange(12), -np.arange(12.0))
    assert r.effect_size == pytest.approx(-1.0) and r.estimate == pytest.approx(-1.0) and r.p_value < 0.001
    with pytest.raises(InsufficientDataError):
        trend([1, 1, 1], [1, 2, 3])


def test_trend_regression_by_hand():
    # t=[0,1,2,3], y=[1,3,2,5]: Sxy = 5.5, Sxx = 5 → slope 1.1; SSE = 2.7, se = sqrt(1.35/5)
    r = trend_regression([0, 1, 2, 3], [1, 3, 2, 5])
    se = math.sqrt(1.35 / 5)
    assert r.estimate == pytest.approx(1.1) and r.details["stderr"] == pytest.approx(se)
    half = sps.t.ppf(0.975, 2) * se
    assert (r.ci_low, r.ci_high) == pytest.approx((1.1 - half, 1.1 + half))
    assert r.p_value == pytest.approx(2 * sps.t.sf(1.1 / se, 2))


# ---------------------------------------------------------------- gini


def test_gini_by_hand():
    # [0,0,0,1]: Σ|xi-xj| / (2 n² μ) = 6 / 8
    r = gini([0, 0, 0, 1], n_boot=200)
    assert r.estimate == pytest.approx(0.75) and r.details["nonzero_share"] == 0.25
    assert r.details["top_share"] == 1.0
    # [1,2,3,4]: Σ|xi-xj| = 20 → 20 / (2·16·2.5) = 0.25; top 25% (one unit) holds 4/10
    r = gini([4, 1, 3, 2], n_boot=200, top_fraction=0.25)
    assert r.estimate == pytest.approx(0.25) and r.details["top_share"] == pytest.approx(0.4)
    assert r.ci_low <= 0.25 + 1e-12 and r.ci_high >= 0.25 - 1e-12
    assert gini([3, 3, 3], n_boot=10).estimate == pytest.approx(0.0)


def test_gini_bootstrap_matches_naive_loop():
    v = np.random.default_rng(1).pareto(1.5, size=60)
    r = gini(v, n_boot=250, seed=3)
    idx = np.random.default_rng(3).integers(0, 60, size=(250, 60))

    def g(x):
        x = np.sort(x)
        return np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())

    naive = np.array([g(v[i]) for i in idx])
    assert r.estimate == pytest.approx(g(v))
    assert (r.ci_low, r.ci_high) == pytest.approx(tuple(np.percentile(naive, [2.5, 97.5])))


def test_gini_rejects_negative_and_all_zero():
    with pytest.raises(ValueError):
        gini([1, -1, 2])
    with pytest.raises(InsufficientDataError):
        gini([0, 0, 0])


# ---------------------------------------------------------------- multiple testing

# Benjamini & Hochberg (1995) worked example, 15 p-values
BH95 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
        0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000]


def test_holm_textbook():
    adj = holm(BH95)
    # by hand: 15·p1, 14·p2, 13·p3, 12·p4, 11·p5, 10·p6, then running max
    assert adj[:6] == pytest.approx([0.0015, 0.0056, 0.0247, 0.114, 0.2211, 0.278])
    assert adj[6] == pytest.approx(0.278) and adj[7] == pytest.approx(0.278)  # 9·p7, 8·p8 below the running max
    assert (adj < 0.05).sum() == 3  # Holm rejects three
    assert adj == pytest.approx(multipletests(BH95, method="holm")[1])


def test_bh_textbook():
    adj = benjamini_hochberg(BH95)
    assert adj[:4] == pytest.approx([0.0015, 0.003, 0.0095, 0.035625])
    assert adj[4] == pytest.approx(0.0603) and adj[5] == pytest.approx(0.0298 * 15 / 7)  # step-up minimum
    assert (adj < 0.05).sum() == 4  # BH rejects four at q = 0.05, as in the paper
    assert adj == pytest.approx(multipletests(BH95, method="fdr_bh")[1])


def test_adjustments_unsorted_input_and_nan():
    p = [0.04, np.nan, 0.01, 0.03]
    assert holm(p)[[0, 2, 3]] == pytest.approx([0.06, 0.03, 0.06]) and np.isnan(holm(p)[1])
    assert benjamini_hochberg(p)[[0, 2, 3]] == pytest.approx([0.04, 0.03, 0.04])


def test_adjust_results_keeps_raw_p():
    rs = [TestResult("x", 40, 0.1, p_value=p) for p in (0.01, 0.04, 0.03)] + [TestResult("y", 40, 0.2)]
    out = adjust(rs, "holm")
    assert [r.p_value for r in out[:3]] == pytest.approx([0.03, 0.06, 0.06])
    assert out[0].details["p_raw"] == 0.01 and out[3] is rs[3]
    assert [r.p_value for r in adjust(rs, "bh")[:3]] == pytest.approx([0.03, 0.04, 0.04])
    with pytest.raises(KeyError):
        adjust(rs, "bonferroni")


# ---------------------------------------------------------------- quantile bins (derive op)
def test_quantile_bins_are_right_closed_at_interpolated_quantiles():
    from ptmkg.claims.measure import quantile_bins

    nine = pl.Series("g", [9.0, 1, 2, 3, 4, 5, 6, 7, 8, None])
    assert quantile_bins(nine, 3).to_list() == ["q3", "q1", "q1", "q1", "q2", "q2", "q2", "q3", "q3", None]
    ties = pl.Series("g", [1.0, 1, 1, 1, 2])  # both breaks at 1: the tied values stay together in q1
    assert quantile_bins(ties, 3).to_list() == ["q1"] * 4 + ["q3"]
    values = np.random.default_rng(7).lognormal(size=101)
    breaks = np.quantile(values, [0.25, 0.5, 0.75])  # numpy's default is linear interpolation too
    expected = [f"q{int(np.searchsorted(breaks, v, side='left')) + 1}" for v in values]
    assert quantile_bins(pl.Series(values), 4).to_list() == expected
