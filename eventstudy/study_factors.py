"""The study file's factor models: ``model: fama_french_3`` and its ``factors:``.

A study names a factor model and where its factors come from::

    model: fama_french_3          # or fama_french_5, carhart, factors
    factors: {source: french, name: F-F_Research_Data_Factors_daily}
    # or a file of one's own (non-US studies: local factors):
    factors: {path: my_factors.csv, units: percent}
    # model: factors takes any columns:
    factors: {path: my_factors.csv, units: decimal, columns: [MKT, SMB], risk_free: RF}

``source: french`` reads Kenneth French's daily files through the local store
(:func:`eventstudy.data.load_factors`); ``name`` may be a list, and defaults to
the model's files (``carhart``: the three factors and momentum). ``path`` is
resolved against the study file's folder and read with
:func:`eventstudy.data.read_factor_file` in the declared ``units``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventstudy.catalog.yaml_lines import LineDict
from eventstudy.data.factors import FactorData, load_factors, read_factor_file
from eventstudy.data.store import file_sha256
from eventstudy.estimation.models import FactorModel

__all__ = [
    "FACTOR_MODELS",
    "FactorsSpec",
    "factor_model",
    "load_study_factors",
    "parse_factors",
]

#: Study-file model names that need ``factors:``.
FACTOR_MODELS = ("fama_french_3", "fama_french_5", "carhart", "factors")
_FF3 = "F-F_Research_Data_Factors_daily"
_DEFAULT_FILES: dict[str, tuple[str, ...]] = {
    "fama_french_3": (_FF3,),
    "fama_french_5": ("F-F_Research_Data_5_Factors_2x3_daily",),
    "carhart": (_FF3, "F-F_Momentum_Factor_daily"),
}
_KEYS = ("source", "name", "path", "units", "columns", "risk_free")


@dataclass(frozen=True)
class FactorsSpec:
    """Where a study's factors come from.

    Parameters
    ----------
    source : {"french", "file"}
        Kenneth French's data library, or a file of one's own.
    names : tuple of str
        French library file names (``source: french``).
    path : Path, optional
        The factor file (``source: file``).
    units : {"percent", "decimal"}
        Units of the file (French files: percent).
    columns : tuple of str
        Regressors of ``model: factors``.
    risk_free : str or None
        Risk-free column (default ``RF``).
    """

    source: str
    names: tuple[str, ...] = ()
    path: Path | None = None
    units: str = "percent"
    columns: tuple[str, ...] = ()
    risk_free: str | None = "RF"


Add = Callable[[int, str, str], None]


def parse_factors(
    doc: LineDict, model: str, base: Path, add: Add, show: Callable[[Any], str]
) -> FactorsSpec | None:
    """Validate the ``factors:`` block against the model.

    Parameters
    ----------
    doc : LineDict
        The study file.
    model : str
        The study's model name.
    base : Path
        The study file's folder.
    add : callable
        ``add(line, field, message)`` records a problem.
    show : callable
        Renders a value as YAML in messages.

    Returns
    -------
    FactorsSpec or None
        None for models without factors (or after a problem).
    """
    raw = doc.get("factors")
    line_of = doc.line_of
    if model not in FACTOR_MODELS:
        if raw is not None:
            add(
                line_of("factors"),
                "factors",
                f"applies to factor models only ({', '.join(FACTOR_MODELS)})",
            )
        return None
    if not isinstance(raw, LineDict):
        add(
            line_of("factors") if raw is not None else line_of("model"),
            "factors",
            f"model {model} needs factors: {{source: french, name: FILE}} or {{path: FILE, units: percent}}",
        )
        return None
    rl = raw.line_of
    for key in raw:
        if key not in _KEYS:
            add(
                rl(key),
                f"factors.{key}",
                f"unknown field (allowed: {', '.join(_KEYS)})",
            )
    ok = True
    units = raw.get("units", "percent" if "path" not in raw else "decimal")
    if units not in ("percent", "decimal"):
        add(
            rl("units"),
            "factors.units",
            f"{show(units)} is not one of percent, decimal",
        )
        ok = False
    columns: tuple[str, ...] = ()
    if model == "factors":
        cols = raw.get("columns")
        if (
            not isinstance(cols, list)
            or not cols
            or not all(isinstance(c, str) for c in cols)
        ):
            add(
                rl("columns") if "columns" in raw else raw.line,
                "factors.columns",
                "model factors needs columns: a list of factor column names",
            )
            ok = False
        else:
            columns = tuple(cols)
    elif "columns" in raw:
        add(
            rl("columns"),
            "factors.columns",
            f"applies to model factors only (model {model} has its columns)",
        )
        ok = False
    rf = raw.get("risk_free", "RF")
    if rf is not None and not isinstance(rf, str):
        add(rl("risk_free"), "factors.risk_free", "must be a column name (or null)")
        ok = False
    if "path" in raw:
        if "source" in raw and raw["source"] != "file":
            add(
                rl("source"),
                "factors.source",
                "give either source: french with name, or path",
            )
            return None
        path = raw["path"]
        if not isinstance(path, str) or not path:
            add(rl("path"), "factors.path", "must be a file name")
            return None
        if not (base / path).is_file():  # reported with the line, not mid-run
            add(rl("path"), "factors.path", f"no such file: {base / path}")
            return None
        return (
            FactorsSpec("file", (), base / path, str(units), columns, rf)
            if ok
            else None
        )
    if raw.get("source") != "french":
        add(
            rl("source") if "source" in raw else raw.line,
            "factors.source",
            f"{show(raw.get('source'))} is not french (or give path: FILE)",
        )
        return None
    names = raw.get("name", list(_DEFAULT_FILES.get(model, ())))
    if isinstance(names, str):
        names = [names]
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(n, str) for n in names)
    ):
        add(
            rl("name") if "name" in raw else raw.line,
            "factors.name",
            "must name a French library file, e.g. F-F_Research_Data_Factors_daily",
        )
        return None
    if units != "percent":
        add(rl("units"), "factors.units", "the French library's files are in percent")
        ok = False
    return (
        FactorsSpec("french", tuple(names), None, "percent", columns, rf)
        if ok
        else None
    )


def load_study_factors(
    spec: FactorsSpec,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    offline: bool = False,
) -> FactorData:
    """Read a study's factors (decimals) with each source file's sha256.

    Parameters
    ----------
    spec : FactorsSpec
        The study's ``factors:``.
    cache_dir : path-like, optional
        The local store (French files).
    offline : bool
        Read the store only.

    Returns
    -------
    FactorData
    """
    if spec.source == "french":
        return load_factors(list(spec.names), cache_dir=cache_dir, offline=offline)
    assert spec.path is not None
    frame = read_factor_file(spec.path, spec.units)
    return FactorData(
        frame=frame, sources={str(spec.path.name): file_sha256(spec.path)}
    )


def factor_model(model: str, spec: FactorsSpec, data: FactorData) -> FactorModel:
    """Build the study's :class:`FactorModel` from its factors (decimals).

    Parameters
    ----------
    model : str
        ``fama_french_3``, ``fama_french_5``, ``carhart`` or ``factors``.
    spec : FactorsSpec
        The study's ``factors:``.
    data : FactorData
        The loaded factors.

    Returns
    -------
    FactorModel
    """
    frame, rf = data.frame, spec.risk_free
    if model == "fama_french_3":
        return FactorModel(frame, ("Mkt-RF", "SMB", "HML"), rf, "ff3")
    if model == "fama_french_5":
        cols5 = ("Mkt-RF", "SMB", "HML", "RMW", "CMA")
        return FactorModel(frame, cols5, rf, "ff5")
    if model == "carhart":
        mom = "Mom" if "Mom" in frame.columns and "MOM" not in frame.columns else "MOM"
        return FactorModel(frame, ("Mkt-RF", "SMB", "HML", mom), rf, "carhart")
    return FactorModel(frame, spec.columns, rf, "factors")
