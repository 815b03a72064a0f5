"""The study file's ``regress:`` block: a cross-sectional regression of CARs.

::

    regress:
      window: [-1, 1]
      X: characteristics.csv          # relative to the study file
      formula: "car ~ size + surprise"
      on: event_id                    # or a column of the events: event, issuer
      cov: HC1                        # nonrobust, HC0-HC3, cluster
      clusters: industry              # with cov: cluster
      weights: inverse_variance       # optional
      missing: raise                  # or drop (with a warning naming them)

The run writes ``regression.csv`` (one row per term: coef, se, t, p_value,
ci_low, ci_high, with nobs, r_squared and the covariance) and
``regression.txt`` (statsmodels' summary), and the report shows the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from patsy import PatsyError

from eventstudy.exceptions import StudyFileError

if TYPE_CHECKING:
    from eventstudy.estimation.results import EventStudyResults

__all__ = ["RegressSpec", "parse_regress", "regression_table", "run_regress"]

_FIELDS = ("window", "X", "formula", "on", "cov", "clusters", "weights", "missing", "y")


@dataclass(frozen=True)
class RegressSpec:
    """A validated ``regress:`` block."""

    window: tuple[int, int]
    X: Path
    formula: str | None = None
    on: str = "event_id"
    cov: str = "HC1"
    clusters: str | None = None
    weights: str | None = None
    missing: str = "raise"
    y: str = "car"


def parse_regress(
    doc: Any,
    base: Path,
    add: Callable[[int, str, str], None],
    yaml_repr: Callable[[Any], str],
) -> RegressSpec | None:
    """Read the ``regress:`` block of a study document (None when absent)."""
    raw: Any = doc.get("regress")
    if raw is None:
        return None
    line = doc.line_of("regress")
    if not isinstance(raw, dict):
        add(
            line,
            "regress",
            f"must be a mapping with window, X and formula, got {yaml_repr(raw)}",
        )
        return None
    ok = True
    lines: Any = raw  # a LineDict: line_of() names each field's line
    for key in raw:
        if key not in _FIELDS:
            add(
                lines.line_of(key),
                f"regress.{key}",
                f"unknown field (known: {', '.join(_FIELDS)})",
            )
            ok = False
    w = raw.get("window", [-1, 1])
    if not (
        isinstance(w, list)
        and len(w) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in w)
        and w[0] <= w[1]
    ):
        add(
            line,
            "regress.window",
            f"must be [first, last] relative days, got {yaml_repr(w)}",
        )
        ok = False
    x = raw.get("X")
    if not isinstance(x, str):
        add(
            line,
            "regress.X",
            "must name a CSV file of characteristics (one row per event)",
        )
        return None
    path = (base / x).resolve()
    if not path.is_file():
        add(lines.line_of("X"), "regress.X", f"no file {path}")
        ok = False
    choices = {
        "cov": ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"),
        "weights": ("inverse_variance",),
        "missing": ("raise", "drop"),
        "y": ("car", "scar", "bhar"),
    }
    for key, allowed in choices.items():
        if key in raw and raw[key] not in allowed:
            add(
                lines.line_of(key),
                f"regress.{key}",
                f"must be one of {', '.join(allowed)}, got {yaml_repr(raw[key])}",
            )
            ok = False
    if raw.get("cov") == "cluster" and "clusters" not in raw:
        add(
            line,
            "regress.clusters",
            "cov: cluster needs clusters (a column of X or of the events)",
        )
        ok = False
    if not ok:
        return None
    return RegressSpec(
        window=(int(w[0]), int(w[1])),
        X=path,
        formula=str(raw["formula"]) if "formula" in raw else None,
        on=str(raw.get("on", "event_id")),
        cov=str(raw.get("cov", "HC1")),
        clusters=str(raw["clusters"]) if "clusters" in raw else None,
        weights=str(raw["weights"]) if "weights" in raw else None,
        missing=str(raw.get("missing", "raise")),
        y=str(raw.get("y", "car")),
    )


def regression_table(fit: Any, cov: str) -> pd.DataFrame:
    """One row per term: coef, se, t, p_value, ci_low, ci_high, nobs, r_squared."""
    ci = fit.conf_int()
    return pd.DataFrame(
        {
            "term": list(fit.params.index),
            "coef": fit.params.to_numpy(),
            "se": fit.bse.to_numpy(),
            "t": fit.tvalues.to_numpy(),
            "p_value": fit.pvalues.to_numpy(),
            "ci_low": ci.iloc[:, 0].to_numpy(),
            "ci_high": ci.iloc[:, 1].to_numpy(),
            "nobs": int(fit.nobs),
            "r_squared": float(fit.rsquared),
            "cov": cov,
        }
    )


def run_regress(spec: RegressSpec, res: EventStudyResults) -> tuple[pd.DataFrame, str]:
    """Fit the study's regression; return its table and statsmodels' summary text."""
    try:
        X = pd.read_csv(spec.X)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise StudyFileError(
            f"{spec.X}: cannot read the characteristics ({exc})"
        ) from exc
    if spec.on not in X.columns:
        raise StudyFileError(
            f"{spec.X}: no column {spec.on!r} (regress.on) to match events"
        )
    X[spec.on] = X[spec.on].astype(str)
    try:
        fit = res.regress(
            spec.window,
            X,
            formula=spec.formula,
            on=spec.on,
            cov=spec.cov,
            clusters=spec.clusters,
            weights=spec.weights,
            missing=spec.missing,
            y=spec.y,
        )
    except (ValueError, PatsyError) as exc:
        raise StudyFileError(f"{spec.X}: regress: {exc}") from exc
    return regression_table(fit, spec.cov), str(fit.summary())
