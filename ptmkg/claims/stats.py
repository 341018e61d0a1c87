"""Statistical tests behind literature-claim verdicts.

Every test is a pure function over array-likes (lists, numpy arrays, polars
Series) and returns a frozen :class:`TestResult`.  Non-finite observations are
dropped (their count is reported in ``details["n_dropped"]``); inputs too small
to compute anything raise :class:`InsufficientDataError`.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import stats as sps

ArrayLike = Any  # list, numpy array or polars Series
_BOOT_CELLS = 4_000_000  # resample matrix cells per bootstrap chunk (bounds memory)


class InsufficientDataError(ValueError):
    """Raised when the input has too few usable observations for the test."""


@dataclass(frozen=True)
class TestResult:
    """Outcome of one statistical test; ``estimate`` is the test's headline number."""

    __test__ = False  # not a pytest test class

    test: str
    n: int
    estimate: float
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    effect_size: float | None = None
    effect_name: str | None = None
    details: dict[str, Any] = field(default_factory=dict, hash=False)


# ---------------------------------------------------------------- helpers

def _finite(values: ArrayLike) -> tuple[np.ndarray, int]:
    arr = np.asarray(values, dtype=float).ravel()
    keep = np.isfinite(arr)
    return arr[keep], int((~keep).sum())


def _finite_pairs(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray, int]:
    xa = np.asarray(x, dtype=float).ravel()
    ya = np.asarray(y, dtype=float).ravel()
    if xa.shape != ya.shape:
        raise ValueError(f"paired inputs differ in length: {xa.size} vs {ya.size}")
    keep = np.isfinite(xa) & np.isfinite(ya)
    return xa[keep], ya[keep], int((~keep).sum())


def _bootstrap(stat_rows: Callable[[np.ndarray], np.ndarray], n: int, n_boot: int, seed: int) -> np.ndarray:
    """Evaluate ``stat_rows`` on resampled index matrices (rows = resamples), in memory-bounded chunks."""
    rng = np.random.default_rng(seed)
    rows = max(1, _BOOT_CELLS // n)
    chunks = [stat_rows(rng.integers(0, n, size=(min(rows, n_boot - s), n))) for s in range(0, n_boot, rows)]
    return np.concatenate(chunks)


def _percentile_ci(boot: np.ndarray, alpha: float) -> tuple[float | None, float | None, int]:
    valid = boot[np.isfinite(boot)]
    if valid.size == 0:
        return None, None, 0
    lo, hi = np.percentile(valid, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(lo), float(hi), int(valid.size)


def _row_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (a * b).sum(axis=1) / np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))


def _gini_rows(v: np.ndarray) -> np.ndarray:
    """Gini coefficient of each row of a non-negative matrix (nan where a row sums to 0)."""
    v = np.sort(v, axis=1)
    n = v.shape[1]
    ranks = np.arange(1, n + 1, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 2.0 * (v @ ranks) / (n * v.sum(axis=1)) - (n + 1) / n


def _to_time_index(t: ArrayLike) -> tuple[np.ndarray, str]:
    """Numeric time axis: month index for dates/datetimes, the values themselves otherwise."""
    arr = np.asarray(t)
    if arr.dtype == object:
        arr = arr.astype("datetime64[D]")
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[M]").astype(np.int64).astype(float), "month"
    return arr.astype(float), "index"


# ---------------------------------------------------------------- proportions

def proportion(k: int, n: int, p0: float | None = None, alpha: float = 0.05) -> TestResult:
    """Share k/n with Wilson score CI (Clopper–Pearson if k < 5 or n-k < 5) and exact binomial test vs p0.

    The effect size is Cohen's h of p̂ against p0 (when p0 is given).
    """
    if n <= 0:
        raise InsufficientDataError("proportion needs n > 0")
    if not 0 <= k <= n:
        raise ValueError(f"k={k} outside [0, n={n}]")
    p_hat = k / n
    z = sps.norm.ppf(1 - alpha / 2)
    if k < 5 or n - k < 5:
        method = "clopper-pearson"
        lo = 0.0 if k == 0 else float(sps.beta.ppf(alpha / 2, k, n - k + 1))
        hi = 1.0 if k == n else float(sps.beta.ppf(1 - alpha / 2, k + 1, n - k))
    else:
        method = "wilson"
        denom = 1 + z * z / n
        centre = (p_hat + z * z / (2 * n)) / denom
        half = z * math.sqrt(p_hat * (1 - p_hat) / n + z * z / (4 * n * n)) / denom
        lo, hi = float(centre - half), float(centre + half)
    p_value = h = None
    if p0 is not None:
        p_value = float(sps.binomtest(k, n, p0, alternative="two-sided").pvalue)
        h = 2 * math.asin(math.sqrt(p_hat)) - 2 * math.asin(math.sqrt(p0))
    return TestResult("proportion", n, p_hat, lo, hi, p_value, h, "cohens_h" if h is not None else None,
                      {"k": k, "p0": p0, "ci_method": method, "alpha": alpha})


# ---------------------------------------------------------------- association / correlation

def spearman(x: ArrayLike, y: ArrayLike, n_boot: int = 2000, seed: int = 0, alpha: float = 0.05) -> TestResult:
    """Spearman's rho with its asymptotic p-value and a seeded percentile-bootstrap CI."""
    xa, ya, dropped = _finite_pairs(x, y)
    n = xa.size
    if n < 3:
        raise InsufficientDataError(f"spearman needs >= 3 complete pairs, got {n}")
    res = sps.spearmanr(xa, ya)
    rho = float(res.statistic)
    p = float(res.pvalue)
    boot = _bootstrap(lambda idx: _row_pearson(sps.rankdata(xa[idx], axis=1), sps.rankdata(ya[idx], axis=1)),
                      n, n_boot, seed)
    lo, hi, valid = _percentile_ci(boot, alpha)
    return TestResult("spearman", n, rho, lo, hi, None if math.isnan(p) else p, rho, "spearman_rho",
                      {"n_dropped": dropped, "n_boot": n_boot, "n_boot_valid": valid, "seed": seed, "alpha": alpha})


def chi_square(table: ArrayLike) -> TestResult:
    """Pearson chi-square test of independence (no continuity correction) with Cramér's V.

    All-zero rows/columns are removed first; 2x2 tables also get Fisher's exact p in details.
    """
    t = np.asarray(table, dtype=float)
    if t.ndim != 2:
        raise ValueError("chi_square needs a 2-D contingency table")
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if min(t.shape) < 2:
        raise InsufficientDataError(f"chi_square needs >= 2 non-empty rows and columns, got {t.shape}")
    chi2, p, dof, expected = sps.chi2_contingency(t, correction=False)
    n = int(t.sum())
    v = math.sqrt(chi2 / (n * (min(t.shape) - 1)))
    details: dict[str, Any] = {"dof": int(dof), "shape": t.shape, "min_expected": float(expected.min())}
    if t.shape == (2, 2):
        details["fisher_p"] = float(sps.fisher_exact(t.astype(int)).pvalue)
    return TestResult("chi_square", n, float(chi2), None, None, float(p), v, "cramers_v", details)


# ---------------------------------------------------------------- two-sample and paired differences

def mann_whitney(a: ArrayLike, b: ArrayLike) -> TestResult:
    """Two-sided Mann–Whitney U test of a vs b; effect = Cliff's delta (positive when a tends to exceed b)."""
    aa, da = _finite(a)
    bb, db = _finite(b)
    if aa.size == 0 or bb.size == 0:
        raise InsufficientDataError(f"mann_whitney needs two non-empty samples, got {aa.size} and {bb.size}")
    res = sps.mannwhitneyu(aa, bb, alternative="two-sided")
    u = float(res.statistic)  # U of sample a = #(a > b) + 0.5 #(a == b)
    pairs = aa.size * bb.size
    rank_biserial = 2 * u / pairs - 1
    # Cliff's delta counted directly: #(a > b) - #(a < b) via sorted positions, O(n log n)
    bs = np.sort(bb)
    gt = np.searchsorted(bs, aa, side="left").sum()
    lt = (bb.size - np.searchsorted(bs, aa, side="right")).sum()
    delta = float(gt - lt) / pairs
    return TestResult("mann_whitney", int(aa.size + bb.size), u, None, None, float(res.pvalue), delta, "cliffs_delta",
                      {"U": u, "rank_biserial": rank_biserial, "n_a": int(aa.size), "n_b": int(bb.size),
                       "median_a": float(np.median(aa)), "median_b": float(np.median(bb)),
                       "n_dropped": da + db})


def wilcoxon_paired(x: ArrayLike, y: ArrayLike) -> TestResult:
    """Wilcoxon signed-rank test on x - y (zero differences dropped); effect = matched-pairs rank-biserial r."""
    xa, ya, dropped = _finite_pairs(x, y)
    d = xa - ya
    nz = d[d != 0]
    if nz.size == 0:
        raise InsufficientDataError("wilcoxon_paired needs at least one non-zero difference")
    ranks = sps.rankdata(np.abs(nz))
    w_plus = float(ranks[nz > 0].sum())
    w_minus = float(ranks[nz < 0].sum())
    r = (w_plus - w_minus) / (w_plus + w_minus)
    res = sps.wilcoxon(nz, zero_method="wilcox", alternative="two-sided")
    return TestResult("wilcoxon_paired", int(d.size), float(np.median(d)), None, None, float(res.pvalue), r,
                      "rank_biserial",
                      {"W": float(res.statistic), "W_plus": w_plus, "W_minus": w_minus,
                       "n_nonzero": int(nz.size), "n_zero": int(d.size - nz.size), "n_dropped": dropped})


def _discordant(test: str, pos: int, neg: int, n: int, extra: dict[str, Any]) -> TestResult:
    m = pos + neg
    if m == 0:
        raise InsufficientDataError(f"{test} needs at least one discordant pair")
    p = float(sps.binomtest(pos, m, 0.5).pvalue)
    return TestResult(test, n, pos / m, None, None, p, (pos - neg) / m, "sign_effect",
                      {"n_pos": pos, "n_neg": neg, **extra})


def sign_test(x: ArrayLike, y: ArrayLike) -> TestResult:
    """Exact sign test on x - y (ties dropped); estimate = share of positive differences,
    effect = (n_pos - n_neg) / (n_pos + n_neg)."""
    xa, ya, dropped = _finite_pairs(x, y)
    d = xa - ya
    return _discordant("sign_test", int((d > 0).sum()), int((d < 0).sum()), int(d.size),
                       {"n_zero": int((d == 0).sum()), "n_dropped": dropped})


def mcnemar(b: int, c: int, n_pairs: int | None = None, exact_below: int = 25) -> TestResult:
    """McNemar test on discordant counts b (x yes, y no) and c (x no, y yes).

    Exact binomial when b + c < ``exact_below``, else chi-square with continuity correction.
    ``n`` is ``n_pairs`` (all pairs, concordant included) when given, else b + c.
    Estimate = b / (b + c); effect = (b - c) / (b + c); odds ratio b/c in details.
    """
    if b < 0 or c < 0:
        raise ValueError("discordant counts must be non-negative")
    m = b + c
    n = m if n_pairs is None else n_pairs
    if n < m:
        raise ValueError(f"n_pairs={n_pairs} < b + c = {m}")
    odds = b / c if c else (math.inf if b else math.nan)
    if m < exact_below or m == 0:
        return _discordant("mcnemar", b, c, n, {"method": "exact", "odds_ratio": odds})
    chi2 = (abs(b - c) - 1) ** 2 / m
    p = float(sps.chi2.sf(chi2, 1))
    return TestResult("mcnemar", n, b / m, None, None, p, (b - c) / m, "sign_effect",
                      {"n_pos": b, "n_neg": c, "method": "chi2-cc", "chi2": chi2, "odds_ratio": odds})


# ---------------------------------------------------------------- trends

def _kendall_s_var(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mann–Kendall S = Σ_{i<j} sign(t_j - t_i)·sign(y_j - y_i) and its tie-corrected variance."""
    n = t.size
    n0 = n * (n - 1) / 2

    def tie_sums(v: np.ndarray) -> tuple[float, float, float]:
        _, counts = np.unique(v, return_counts=True)
        c = counts.astype(float)
        return (c * (c - 1)).sum(), (c * (c - 1) * (c - 2)).sum(), (c * (c - 1) * (2 * c + 5)).sum()

    tt1, tt2, tt3 = tie_sums(t)
    ty1, ty2, ty3 = tie_sums(y)
    tau_b = sps.kendalltau(t, y).statistic  # O(n log n); S recovered from tau-b and the tie counts
    s = 0.0 if math.isnan(tau_b) else float(np.rint(tau_b * math.sqrt((n0 - tt1 / 2) * (n0 - ty1 / 2))))
    var = (n * (n - 1) * (2 * n + 5) - tt3 - ty3) / 18
    var += tt1 * ty1 / (2 * n * (n - 1))
    if n > 2:
        var += tt2 * ty2 / (9 * n * (n - 1) * (n - 2))
    return s, float(var)


def trend(times: ArrayLike, values: ArrayLike, alpha: float = 0.05) -> TestResult:
    """Mann–Kendall trend test with Sen's slope (Theil–Sen CI).

    ``times`` may be dates/datetimes (converted to a month index, slope per month) or numbers.
    Effect = Mann–Kendall tau = S / (n(n-1)/2).  Sen's slope is O(n²): aggregate long series first.
    """
    t, unit = _to_time_index(times)
    tt, yy, dropped = _finite_pairs(t, values)
    n = tt.size
    if n < 3 or np.unique(tt).size < 2:
        raise InsufficientDataError(f"trend needs >= 3 observations at >= 2 time points, got {n}")
    s, var = _kendall_s_var(tt, yy)
    z = 0.0 if s == 0 or var == 0 else (s - math.copysign(1, s)) / math.sqrt(var)
    p = float(2 * sps.norm.sf(abs(z)))
    sen = sps.theilslopes(yy, tt, alpha=1 - alpha)
    return TestResult("mann_kendall", n, float(sen.slope), float(sen.low_slope), float(sen.high_slope), p,
                      s / (n * (n - 1) / 2), "mann_kendall_tau",
                      {"S": s, "var_S": var, "z": z, "intercept": float(sen.intercept), "time_unit": unit,
                       "n_dropped": dropped, "alpha": alpha})


def trend_regression(times: ArrayLike, values: ArrayLike, alpha: float = 0.05) -> TestResult:
    """OLS of values on a month index (or numeric time): slope with t-based CI; effect = Pearson r."""
    t, unit = _to_time_index(times)
    tt, yy, dropped = _finite_pairs(t, values)
    n = tt.size
    if n < 3 or np.unique(tt).size < 2:
        raise InsufficientDataError(f"trend_regression needs >= 3 observations at >= 2 time points, got {n}")
    res = sps.linregress(tt, yy)
    half = float(sps.t.ppf(1 - alpha / 2, n - 2) * res.stderr)
    return TestResult("ols_trend", n, float(res.slope), float(res.slope - half), float(res.slope + half),
                      float(res.pvalue), float(res.rvalue), "pearson_r",
                      {"intercept": float(res.intercept), "stderr": float(res.stderr), "r2": float(res.rvalue ** 2),
                       "time_unit": unit, "n_dropped": dropped, "alpha": alpha})


# ---------------------------------------------------------------- concentration

def gini(values: ArrayLike, n_boot: int = 2000, seed: int = 0, alpha: float = 0.05,
         top_fraction: float = 0.01) -> TestResult:
    """Gini coefficient of non-negative values with a seeded percentile-bootstrap CI.

    Details carry ``nonzero_share`` (share of units with value > 0) and ``top_share``
    (share of the total held by the top ceil(top_fraction·n) units).
    """
    v, dropped = _finite(values)
    if (v < 0).any():
        raise ValueError("gini needs non-negative values")
    n = v.size
    if n < 2 or v.sum() == 0:
        raise InsufficientDataError("gini needs >= 2 values with a positive total")
    g = float(_gini_rows(v[None, :])[0])
    boot = _bootstrap(lambda idx: _gini_rows(v[idx]), n, n_boot, seed)
    lo, hi, valid = _percentile_ci(boot, alpha)
    k_top = max(1, math.ceil(top_fraction * n))
    top_share = float(np.sort(v)[n - k_top:].sum() / v.sum())
    return TestResult("gini", n, g, lo, hi, None, g, "gini",
                      {"nonzero_share": float((v > 0).mean()), "top_share": top_share, "top_fraction": top_fraction,
                       "top_k": k_top, "n_boot": n_boot, "n_boot_valid": valid, "seed": seed,
                       "n_dropped": dropped, "alpha": alpha})


# ---------------------------------------------------------------- multiple testing

def _prep(pvalues: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = np.asarray(pvalues, dtype=float).ravel()
    ok = np.flatnonzero(np.isfinite(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    return p, order, np.full(p.shape, np.nan)


def holm(pvalues: ArrayLike) -> np.ndarray:
    """Holm step-down adjusted p-values (NaNs are kept and not counted)."""
    p, order, out = _prep(pvalues)
    m = order.size
    scaled = (m - np.arange(m)) * p[order]
    out[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return out


def benjamini_hochberg(pvalues: ArrayLike) -> np.ndarray:
    """Benjamini–Hochberg step-up adjusted p-values (q-values); NaNs are kept and not counted."""
    p, order, out = _prep(pvalues)
    m = order.size
    scaled = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return out


def adjust(results: Sequence[TestResult], method: Literal["holm", "bh"] = "holm") -> list[TestResult]:
    """Copies of ``results`` with p-values adjusted as a family; the raw p goes to ``details['p_raw']``."""
    adjuster = {"holm": holm, "bh": benjamini_hochberg}[method]
    adj = adjuster([np.nan if r.p_value is None else r.p_value for r in results])
    return [r if r.p_value is None else
            dataclasses.replace(r, p_value=float(a), details={**r.details, "p_raw": r.p_value, "p_adjust": method})
            for r, a in zip(results, adj)]
