"""Full names, references, null hypotheses and distributions of the tests and models.

One place for what a reader needs beside a statistic: the CAAR table's key,
the report's Methods section and the compare table use these entries, and the
formulas behind them are in ``docs/formulas.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MODEL_INFO",
    "REFERENCES",
    "SHORT_BATTERY",
    "TEST_INFO",
    "AboutTest",
    "full_test_name",
]

#: The default short battery of the report's CAAR table: parametric,
#: correlation- and variance-robust, rank and sign (the full battery stays in
#: caar.csv and the report's appendix).
SHORT_BATTERY: tuple[str, ...] = ("csect_t", "kp_bmp", "grank", "generalized_sign")

#: Full references, keyed by the short citation used in :data:`TEST_INFO`.
REFERENCES: dict[str, str] = {
    "Maynes & Rumsey (1993)": "Maynes, E. and Rumsey, J. (1993). Conducting event "
    "studies with thinly traded stocks. Journal of Banking and Finance 17(1), "
    "145-157.",
    "Boehmer, Musumeci & Poulsen (1991)": "Boehmer, E., Musumeci, J. and Poulsen, A. B. "
    "(1991). Event-study methodology under conditions of event-induced variance. "
    "Journal of Financial Economics 30(2), 253-272.",
    "Brown & Warner (1980)": "Brown, S. J. and Warner, J. B. (1980). Measuring "
    "security price performance. Journal of Financial Economics 8(3), 205-258.",
    "Brown & Warner (1985)": "Brown, S. J. and Warner, J. B. (1985). Using daily "
    "stock returns: The case of event studies. Journal of Financial Economics "
    "14(1), 3-31.",
    "Corrado (1989)": "Corrado, C. J. (1989). A nonparametric test for abnormal "
    "security-price performance in event studies. Journal of Financial Economics "
    "23(2), 385-395.",
    "Corrado & Zivney (1992)": "Corrado, C. J. and Zivney, T. L. (1992). The "
    "specification and power of the sign test in event study hypothesis tests "
    "using daily stock returns. Journal of Financial and Quantitative Analysis "
    "27(3), 465-478.",
    "Cowan (1992)": "Cowan, A. R. (1992). Nonparametric event study tests. Review "
    "of Quantitative Finance and Accounting 2(4), 343-358.",
    "Hall (1992)": "Hall, P. (1992). On the removal of skewness by transformation. "
    "Journal of the Royal Statistical Society B 54(1), 221-228.",
    "Kolari & Pynnönen (2010)": "Kolari, J. W. and Pynnönen, S. (2010). Event study "
    "testing with cross-sectional correlation of abnormal returns. Review of "
    "Financial Studies 23(11), 3996-4025.",
    "Kolari & Pynnönen (2011)": "Kolari, J. W. and Pynnönen, S. (2011). "
    "Nonparametric rank tests for event studies. Journal of Empirical Finance "
    "18(5), 953-971.",
    "Lamb (1995)": "Lamb, R. P. (1995). An exposure-based analysis of "
    "property-liability insurer stock values around Hurricane Andrew. Journal of "
    "Risk and Insurance 62(1), 111-123.",
    "Lyon, Barber & Tsai (1999)": "Lyon, J. D., Barber, B. M. and Tsai, C.-L. (1999). "
    "Improved methods for tests of long-run abnormal stock returns. Journal of "
    "Finance 54(1), 165-201.",
    "MacKinlay (1997)": "MacKinlay, A. C. (1997). Event studies in economics and "
    "finance. Journal of Economic Literature 35(1), 13-39.",
    "Patell (1976)": "Patell, J. M. (1976). Corporate forecasts of earnings per "
    "share and stock price behavior: Empirical tests. Journal of Accounting "
    "Research 14(2), 246-276.",
    "Wilcoxon (1945)": "Wilcoxon, F. (1945). Individual comparisons by ranking "
    "methods. Biometrics Bulletin 1(6), 80-83.",
}


@dataclass(frozen=True)
class AboutTest:
    """What a reader needs to know about one test.

    Attributes
    ----------
    name : str
        Full name (``"Kolari-Pynnönen adjusted BMP t"``).
    reference : str
        Short citation, a key of :data:`REFERENCES`.
    null : str
        The null hypothesis tested.
    distribution : str
        Reference distribution of the statistic.
    """

    name: str
    reference: str
    null: str
    distribution: str


_ZERO = "the mean CAR is zero"
TEST_INFO: dict[str, AboutTest] = {
    "csect_t": AboutTest(
        "Cross-sectional t",
        "Brown & Warner (1985)",
        _ZERO + " (CARs independent across events)",
        "t(N-1)",
    ),
    "crude_dependence": AboutTest(
        "Crude dependence adjustment t",
        "Brown & Warner (1985)",
        _ZERO + " (variance from the estimation-window AARs)",
        "t(M-1)",
    ),
    "patell": AboutTest(
        "Patell Z",
        "Patell (1976)",
        "the mean standardized CAR is zero (no event-induced variance)",
        "N(0,1)",
    ),
    "kp_patell": AboutTest(
        "Kolari-Pynnönen adjusted Patell Z",
        "Kolari & Pynnönen (2010)",
        "the mean standardized CAR is zero, allowing cross-correlation",
        "N(0,1)",
    ),
    "bmp": AboutTest(
        "Standardized cross-sectional t (BMP)",
        "Boehmer, Musumeci & Poulsen (1991)",
        "the mean standardized CAR is zero, allowing event-induced variance",
        "t(N-1)",
    ),
    "kp_bmp": AboutTest(
        "Kolari-Pynnönen adjusted BMP t",
        "Kolari & Pynnönen (2010)",
        "the mean standardized CAR is zero, allowing event-induced variance "
        "and cross-correlation",
        "t(N-1)",
    ),
    "skewness_t": AboutTest(
        "Skewness-adjusted t",
        "Lyon, Barber & Tsai (1999)",
        _ZERO + " (skewness corrected, Hall 1992)",
        "N(0,1)",
    ),
    "sign": AboutTest(
        "Sign test",
        "Cowan (1992)",
        "positive and negative CARs are equally likely",
        "N(0,1)",
    ),
    "generalized_sign": AboutTest(
        "Generalized sign Z",
        "Cowan (1992)",
        "the share of positive CARs equals the estimation-window share",
        "N(0,1)",
    ),
    "corrado_rank": AboutTest(
        "Corrado rank test",
        "Corrado (1989)",
        "event-window ARs rank like estimation-window ARs",
        "N(0,1)",
    ),
    "cz_rank": AboutTest(
        "Corrado-Zivney rank test",
        "Corrado & Zivney (1992)",
        "event-window standardized ARs rank like estimation-window ones",
        "N(0,1)",
    ),
    "cz_sign": AboutTest(
        "Corrado-Zivney sign test",
        "Corrado & Zivney (1992)",
        "event-window ARs lie above their median as often as any day's",
        "N(0,1)",
    ),
    "grank": AboutTest(
        "Generalized rank t (GRANK)",
        "Kolari & Pynnönen (2011)",
        "the standardized CAR ranks like an estimation-window day",
        "t(T-2)",
    ),
    "wilcoxon": AboutTest(
        "Wilcoxon signed-rank test",
        "Wilcoxon (1945)",
        "the CARs are symmetric about zero",
        "exact (n <= 50, no ties) or N(0,1)",
    ),
    "bootstrap": AboutTest(
        "Bootstrapped skewness-adjusted t",
        "Lyon, Barber & Tsai (1999)",
        _ZERO + " (bootstrap distribution of the statistic)",
        "bootstrap",
    ),
    "j1": AboutTest(
        "MacKinlay J1",
        "MacKinlay (1997)",
        _ZERO + " (model-based CAR variances)",
        "N(0,1)",
    ),
    "brown_warner_1980": AboutTest(
        "Brown-Warner (1980) t",
        "Brown & Warner (1980)",
        _ZERO + " (mean of the events' variances)",
        "t(M-1)",
    ),
    "lamb": AboutTest(
        "Lamb Z",
        "Lamb (1995)",
        _ZERO + " (variance with the benchmark's prediction error)",
        "N(0,1)",
    ),
}

#: Normal-return models: (name, formula, reference) as in docs/formulas.md.
MODEL_INFO: dict[str, tuple[str, str, str]] = {
    "market": (
        "Market model (OLS)",
        "R_it = α_i + β_i R_mt + ε_it; AR_it = R_it − α̂_i − β̂_i R_mt",
        "MacKinlay (1997) eq. 7",
    ),
    "constant_mean": (
        "Constant mean return",
        "R_it = μ_i + ε_it; AR_it = R_it − μ̂_i",
        "MacKinlay (1997) eq. 5",
    ),
    "market_adjusted": (
        "Market-adjusted returns",
        "AR_it = R_it − R_mt (no estimated parameter)",
        "Brown & Warner (1985)",
    ),
    "trade_to_trade": (
        "Market model on trade-to-trade returns (thin trading, WLS weights 1/d)",
        "R_it = α_i + β_i R_mt + ε_it over each trade's d sessions, Var(ε) = d σ²; "
        "Var(AR_it) = σ̂²(d + x'(X'X)⁻¹x)",
        "Maynes & Rumsey (1993)",
    ),
    "garch": (
        "Market model with GARCH(1,1) errors (maximum likelihood)",
        "R_it = α_i + β_i R_mt + ε_it, h_it = ω_i + a_i ε²_i,t−1 + b_i h_i,t−1; "
        "AR_it = R_it − α̂_i − β̂_i R_mt, Var(AR_it) = ĥ_it",
        "Bollerslev (1986); Savickas (2003)",
    ),
    "garch_t": (
        "Market model with GARCH(1,1) errors, Student t (maximum likelihood)",
        "R_it = α_i + β_i R_mt + ε_it, h_it = ω_i + a_i ε²_i,t−1 + b_i h_i,t−1, "
        "ε_it/√h_it ~ standardized t(ν_i); AR_it = R_it − α̂_i − β̂_i R_mt, "
        "Var(AR_it) = ĥ_it",
        "Bollerslev (1986, 1987); Savickas (2003)",
    ),
}


def full_test_name(code: str) -> str:
    """Full name of a test (the code itself when unknown).

    Examples
    --------
    >>> full_test_name("kp_bmp")
    'Kolari-Pynnönen adjusted BMP t'
    """
    info = TEST_INFO.get(code)
    return info.name if info is not None else code
