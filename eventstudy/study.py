"""The one place that wires the parts together: a full run and its output folder.

:func:`write_outputs` writes the output folder (README, "Command line") from a fitted
:class:`~eventstudy.EventStudyResults`; the ``run`` and ``demo`` commands and
the checked-in study results all go through it, so every published file has
one writer.
"""

from __future__ import annotations

import hashlib
import json
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy import __version__
from eventstudy._atomic import atomic_write_text
from eventstudy._csv_text import write_csv
from eventstudy.catalog.event import Catalog
from eventstudy.catalog.overview import events_overview
from eventstudy.data.factors import FactorData
from eventstudy.data.long_prices import load_long_prices
from eventstudy.data.prices import PriceSet, load_prices
from eventstudy.data.returns import prices_to_returns
from eventstudy.data.sessions import drop_non_sessions
from eventstudy.data.volume import load_volume
from eventstudy.estimation.event_study import EventStudy
from eventstudy.estimation.family import FAMILY_COLUMNS, StudyDesign
from eventstudy.estimation.models import DimsonModel, GarchModel, NormalReturnModel
from eventstudy.estimation.results import (
    DEFAULT_CAR_WINDOWS,
    EventStudyResults,
    format_window,
)
from eventstudy.exceptions import (
    EventStudyWarning,
    NonSessionWarning,
    StudyFileError,
)
from eventstudy.report.build import ReportContext, report_tables, write_report
from eventstudy.study_factors import factor_model, load_study_factors
from eventstudy.study_file import (
    EngineInputs,
    StudySpec,
    engine_inputs,
    load_study,
    study_catalog,
)
from eventstudy.study_measures import run_measures
from eventstudy.study_regress import run_regress

if TYPE_CHECKING:
    from eventstudy.catalog.filings_check import StoredFilings

__all__ = [
    "ReportContext",
    "StudyRun",
    "output_tables",
    "run_study",
    "study_model",
    "write_outputs",
    "write_study",
]

#: Column order of each CSV of the output folder (README, "Command line").
ESTIMATION_BASE = ["event_id", "event", "ticker", "benchmark", "model"]
ESTIMATION_TAIL = ["sigma", "nobs", "df", "day0", "est_start", "est_end"]
AR_COLUMNS = [
    "event_id",
    "event",
    "ticker",
    "rel_day",
    "date",
    "ret",
    "expected",
    "ar",
    "ar_se",
]
CAR_COLUMNS = [
    "event_id",
    "event",
    "ticker",
    "window",
    "car",
    "se",
    "t",
    "p_value",
    "df",
    "ndays",
    "ci_low",
    "ci_high",
]
#: the leading columns of ``caar.csv``: the family table's up to the CI
CAAR_COLUMNS = FAMILY_COLUMNS[: FAMILY_COLUMNS.index("ci_high") + 1]
SKIPPED_COLUMNS = ["event_id", "event", "ticker", "reason"]


def _event_labels(res: EventStudyResults) -> pd.DataFrame:
    ev = res.events.set_index("event_id")
    label = (
        ev["event"] if "event" in ev.columns else pd.Series(ev.index, index=ev.index)
    )
    return pd.DataFrame(
        {"event": label.astype(str), "ticker": ev["ticker"].astype(str)}
    )


def output_tables(
    res: EventStudyResults,
    windows: Sequence[tuple[int, int]] = DEFAULT_CAR_WINDOWS,
    caar: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Build the CSV tables of the output folder.

    Parameters
    ----------
    res : EventStudyResults
        Fitted results.
    windows : sequence of (int, int)
        CAR windows, inside the event window.
    caar : DataFrame, optional
        CAAR tests (group, window, test, n, caar, statistic, p_value, ...).

    Returns
    -------
    dict of str to DataFrame
        ``estimation``, ``abnormal_returns``, ``car``, ``caar``, ``skipped``.
    """
    labels = _event_labels(res)
    par = res.parameters.reset_index()
    par = par.join(labels["event"], on="event_id")
    params = [c for c in par.columns if c not in {*ESTIMATION_BASE, *ESTIMATION_TAIL}]
    estimation = par[[*ESTIMATION_BASE, *params, *ESTIMATION_TAIL]]

    ar = res.abnormal_returns.join(labels, on="event_id")
    # trade-to-trade returns: the sessions each return spans (thin_trading)
    ar = ar[[*AR_COLUMNS, *(["span"] if "span" in ar.columns else [])]]
    lo, hi = res.settings.event_window
    outside = [w for w in windows if not (lo <= w[0] <= w[1] <= hi)]
    if outside:
        raise StudyFileError(
            "CAR window(s) "
            + ", ".join(format_window(*w) for w in outside)
            + f" lie outside the event window {format_window(lo, hi)}"
        )
    car = res.cars(tuple(windows)).join(labels, on="event_id")
    car = (
        car.rename(columns={"t": "t"})[CAR_COLUMNS]
        if len(car)
        else pd.DataFrame(columns=CAR_COLUMNS)
    )

    sk = pd.concat([res.skipped, _dropped(res)], ignore_index=True)
    sk = sk.join(labels["event"], on="event_id")
    sk["event"] = sk["event"].fillna(sk["event_id"])
    skipped = sk[SKIPPED_COLUMNS]
    if caar is None:
        caar = pd.DataFrame(columns=CAAR_COLUMNS)
    if "unit" not in caar.columns:  # a table of one unit (EventStudyResults.caar)
        caar = caar.assign(unit="listing")
    extra = [c for c in caar.columns if c not in CAAR_COLUMNS]
    return {
        "estimation": estimation,
        "abnormal_returns": ar,
        "car": car,
        "caar": caar[[*CAAR_COLUMNS, *extra]],
        "skipped": skipped,
    }


def _dropped(res: EventStudyResults) -> pd.DataFrame:
    """Rows ``overlap: drop_later`` leaves out of the CAAR, as skipped rows."""
    drop = res.overlap_dropped()
    if not drop.any():
        return res.skipped.iloc[:0]
    prim = res.design.primary.resolve(res.family_windows())
    assert prim.window is not None
    w = format_window(*prim.window)
    ov = res.overlap([prim.window]).set_index("event_id")
    ids = drop.index[drop.to_numpy()]
    return pd.DataFrame(
        {
            "event_id": ids,
            "ticker": ov.loc[ids, "ticker"].to_numpy(),
            "reason": [
                f"left out of the CAAR (overlap: drop_later): its {w} window "
                f"meets the {w} window of an earlier event of {ov.loc[i, 'ticker']} "
                f"(event windows meeting it: {ov.loc[i, 'overlapping']}); its CARs "
                "stay in car.csv"
                for i in ids
            ],
        }
    )


def headline_unit(caar: pd.DataFrame) -> pd.DataFrame:
    """Keep the rows of the headline unit (``issuer``) of a CAAR table, if any."""
    if "unit" in caar.columns and (caar["unit"] == "issuer").any():
        return caar[caar["unit"] == "issuer"].reset_index(drop=True)
    return caar


def _atomic_write(path: Path, text: str) -> None:
    atomic_write_text(path, text)


def _dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    if not dates:
        return frame
    out = frame.copy()
    for c in dates:
        out[c] = out[c].dt.strftime("%Y-%m-%d")
    return out


def sha256_text(text: str) -> str:
    """Hex sha256 of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_outputs(
    res: EventStudyResults,
    out: str | Path,
    *,
    windows: Sequence[tuple[int, int]] = DEFAULT_CAR_WINDOWS,
    caar: pd.DataFrame | None = None,
    manifest: Mapping[str, Any] | None = None,
    timestamp: bool = True,
    figures: bool = False,
    report: ReportContext | None = None,
    extra_csv: Mapping[str, pd.DataFrame] | None = None,
    excel: bool = False,
) -> dict[str, Path]:
    """Write the output folder: CSV files, tables, figures, report and manifest.

    Parameters
    ----------
    res : EventStudyResults
        Fitted results.
    out : path
        Output folder (created).
    windows : sequence of (int, int)
        CAR windows.
    caar : DataFrame, optional
        CAAR test table.
    manifest : mapping, optional
        Extra manifest entries (study file and hash, price hashes, ...).
    timestamp : bool
        Write ``created_at`` (UTC); off for checked-in, reproducible results.
    figures : bool
        Also write ``figures/*.png`` and the self-contained ``report.html``;
        when False, a ``report.html`` and figures left by an earlier run in
        ``out`` are removed so that nothing contradicts the new tables.
    report : ReportContext, optional
        What the report shows beyond the results (title, prices, catalog
        events, confounding flags, provenance).
    extra_csv : mapping of str to DataFrame, optional
        More CSV files to write (and hash) beside the standard ones, such as
        ``confounding``.
    excel : bool
        Also write ``results.xlsx``: a sheet per CSV file (the same rows and
        columns) and ``events`` (needs ``eventstudy[excel]``).

    Returns
    -------
    dict of str to Path
        The files written (``figures/`` PNGs under ``figure:<name>``).
    """
    out = Path(out)
    if excel:  # before any file is written
        from eventstudy.report.excel import require_openpyxl

        require_openpyxl()
    tables = output_tables(res, windows, caar)
    written: dict[str, Path] = {}
    hashes: dict[str, str] = {}
    for name, frame in {**tables, **(extra_csv or {})}.items():
        path = out / f"{name}.csv"
        hashes[f"{name}.csv"] = write_csv(path, frame, _dates_as_text)
        written[name] = path
    if excel:
        from eventstudy.report.excel import write_workbook

        sheets = {**tables, **(extra_csv or {}), "events": res.events}
        written["excel"] = write_workbook(out / "results.xlsx", sheets)
        del sheets
    # written: the long table (21 rows per event, a GiB at 500k events) need
    # not stay in memory beside the report tables built next
    del tables["abnormal_returns"]
    shown = report_tables(
        tables["car"],
        headline_unit(tables["caar"]),
        labels=res.event_labels(),
        dates=res.day0_labels(),
        tests=report.tests if report is not None else None,
        ci_level=res.settings.ci_level,
    )
    for stem, table in shown.items():
        for ext, text in (
            ("md", table.to_markdown()),
            ("html", table.to_html()),
            ("tex", table.to_latex(label=f"tab:{stem}")),
        ):
            path = out / f"{stem}.{ext}"
            _atomic_write(path, text)
            written[f"{stem}.{ext}"] = path
            hashes[f"{stem}.{ext}"] = sha256_text(text)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    if figures:
        subtitle = f"eventstudy {__version__}" + (f", {created}" if timestamp else "")
        ctx = replace(report or ReportContext(), windows=tuple(windows))
        written.update(
            write_report(res, out, shown, ctx, subtitle=subtitle, caar=tables["caar"])
        )
    else:
        # a report from an earlier run would contradict the new tables
        (out / "report.html").unlink(missing_ok=True)
        for png in (out / "figures").glob("*.png"):
            png.unlink()
    man: dict[str, Any] = {
        "package": "eventstudy",
        "version": __version__,
        "settings": res.settings.to_dict(),
        "car_windows": [list(w) for w in windows],
        "counts": {
            "events": len(res.events),
            "estimated": int(res.panel.n_events),
            "skipped": len(res.skipped),
        },
        "outputs_sha256": hashes,
    }
    if manifest:
        man.update(dict(manifest))
    if timestamp:
        man["created_at"] = created
    _atomic_write(
        out / "manifest.json",
        json.dumps(man, indent=2, sort_keys=True, default=_json_default) + "\n",
    )
    written["manifest"] = out / "manifest.json"
    return written


def _model_options(spec: StudySpec) -> dict[str, object]:
    """Return the model's options that ``settings.model`` does not name."""
    options: dict[str, object] = {}
    if spec.model == "dimson":
        options["lags"] = spec.lags
    if spec.thin_threshold is not None:
        options["thin_threshold"] = spec.thin_threshold
    return options


def _json_default(obj: object) -> object:
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (pd.Timestamp, datetime)):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")


# --------------------------------------------------------------------- full run
@dataclass(frozen=True)
class StudyRun:
    """Everything a study run produced.

    Attributes
    ----------
    spec : StudySpec
        The validated study file.
    prices : PriceSet
        The prices used, with their hashes.
    returns : DataFrame
        The returns panel.
    inputs : EngineInputs
        Events, sessions, exclusions and the confounding table.
    results : EventStudyResults
        The fitted results.
    caar : DataFrame
        CAAR tests per group, window and test.
    measures : mapping of str to DataFrame
        Outputs of the measures besides the CAR (file stem to frame:
        ``bhar``, ``bhar_tests``, ``volume_car``, ..., and ``regression``).
    regression_text : str or None
        statsmodels' summary of the study's ``regress:`` regression.
    factors : FactorData or None
        The factors of a factor model, with each source file's sha256.
    cache_dir : Path or None
        The local store the run read (the report reads SEC filings from it).
    """

    spec: StudySpec
    prices: PriceSet
    returns: pd.DataFrame
    inputs: EngineInputs
    results: EventStudyResults
    caar: pd.DataFrame
    measures: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    regression_text: str | None = None
    factors: FactorData | None = None
    cache_dir: Path | None = None


def _progress(msg: str, enabled: bool) -> None:
    if enabled:
        sys.stderr.write(f"[eventstudy] {msg}\n")
        sys.stderr.flush()


def study_model(
    spec: StudySpec, factors: FactorData | None = None
) -> str | NormalReturnModel:
    """Return the normal-return model a study file names (with its options).

    Parameters
    ----------
    spec : StudySpec
        The parsed study file.
    factors : FactorData, optional
        The loaded factors of a factor model (``factors:``).

    Returns
    -------
    str or NormalReturnModel
        The model name, or a model object when the file sets its options
        (``model: dimson`` with ``lags: k``, ``model: garch`` with ``dist``,
        a factor model).
    """
    if spec.model == "dimson":
        return DimsonModel(lags=spec.lags)
    if spec.model == "garch":
        return GarchModel(dist="t" if spec.dist == "t" else "normal")
    if spec.factors is not None:
        if factors is None:
            raise ValueError(f"model {spec.model} needs its factors loaded")
        return factor_model(spec.model, spec.factors, factors)
    return spec.model


def run_study(
    study: str | Path | StudySpec,
    *,
    prices_dir: str | Path | None = None,
    offline: bool = False,
    cache_dir: str | Path | None = None,
    progress: bool = False,
    client: Any = None,
) -> StudyRun:
    """Run a study file end to end (prices, returns, day 0, fit, tests).

    Parameters
    ----------
    study : path or StudySpec
        The study file (docs/catalog.md, "Study files") or its loaded spec.
    prices_dir : path, optional
        Read ``DIR/TICKER.csv`` instead of the study's price source.
    offline : bool
        Read the local store only (source ``yahoo``); never contact Yahoo.
    cache_dir : path, optional
        The local price store folder.
    progress : bool
        Report each step on stderr.
    client : distributed.Client, optional
        Fit on this Dask cluster (:meth:`EventStudy.fit`); keep it open until
        the results are written.

    Returns
    -------
    StudyRun
    """
    spec = study if isinstance(study, StudySpec) else load_study(study)
    catalog = study_catalog(spec)  # catalog errors before any price is loaded
    tickers, start, end = spec.price_request()
    pdir: Path | None
    if prices_dir is not None:
        source, pdir = "csv", Path(prices_dir)
    else:
        source, pdir = spec.prices.source, spec.prices.path
    origin = "the local store" if offline and source == "yahoo" else source
    _progress(f"loading prices of {len(tickers)} tickers from {origin}", progress)
    if source == "long":
        assert pdir is not None  # load_study requires the path
        prices, column = load_long_prices(pdir, tickers, start, end)
    else:
        column = "adj_close"
        prices = load_prices(
            tickers,
            start,
            end,
            source="csv" if source == "csv" else "yahoo",
            prices_dir=pdir,
            cache_dir=cache_dir,
            offline=offline,
            on_ticker=(lambda t: _progress(f"  fetched {t}", progress)),
        )
    values = _sessions_only(prices.prices, spec)
    # returns given in long form (ret) are taken as the study's return kind
    returns = (
        values
        if column == "ret"
        else prices_to_returns(
            values, kind="log" if spec.returns == "log" else "simple"
        )
    )
    inputs = engine_inputs(spec, returns, catalog)
    factors = None
    if spec.factors is not None:
        _progress(f"loading factors ({spec.factors.source})", progress)
        factors = load_study_factors(spec.factors, cache_dir=cache_dir, offline=offline)
    thin = spec.thin_trading == "trade_to_trade"
    _progress(
        f"fitting {len(inputs.events)} (event, listing) pairs, "
        f"model={'trade_to_trade' if thin else spec.model}",
        progress,
    )
    results = EventStudy(
        returns,
        inputs.events,
        benchmark=None,
        model=study_model(spec, factors),
        thin_trading=spec.thin_trading,
        thin_threshold=spec.thin_threshold,
        volume=(
            _study_volume(
                spec,
                list(spec.listings),
                start,
                end,
                source,
                pdir,
                cache_dir,
                thin=True,
            )
            if thin
            else None
        ),
        estimation_window=spec.estimation_window,
        event_window=spec.event_window,
        min_estimation_obs=spec.min_estimation_obs,
        return_kind="log" if spec.returns == "log" else "simple",
        sessions=inputs.sessions,
        exclude=inputs.exclude,
        ci_level=spec.report.ci_level,
        benchmark_ex={
            t: ls.benchmark_ex
            for t, ls in spec.listings.items()
            if ls.benchmark_ex is not None
        }
        or None,
        exclude_inferred_dates=spec.design.exclude_inferred_dates,
    ).fit(client=client)
    results = results.with_design(study_design(spec))
    _progress("computing CAAR tests", progress)
    caar = study_caar(results, spec)
    measures = run_measures(
        spec.measures,
        results,
        car_windows=spec.car_windows,
        volume=lambda: _study_volume(
            spec, tickers, start, end, source, pdir, cache_dir
        ),
    )
    if spec.regress is not None:
        _progress("fitting the cross-sectional regression", progress)
        table, text = run_regress(spec.regress, results)
        measures = {**measures, "regression": table}
        regression_text: str | None = text
    else:
        regression_text = None
    return StudyRun(
        spec,
        prices,
        returns,
        inputs,
        results,
        caar,
        measures,
        regression_text,
        factors,
        None if cache_dir is None else Path(cache_dir),
    )


def _study_volume(
    spec: StudySpec,
    tickers: list[str],
    start: pd.Timestamp,
    end: pd.Timestamp,
    source: str,
    pdir: Path | None,
    cache_dir: str | Path | None,
    *,
    thin: bool = False,
) -> pd.DataFrame:
    """Daily volume for the volume measures or trade-to-trade returns (``thin``).

    Volume comes from per-listing CSV files or Yahoo, never from a long file.
    """
    if source == "long":
        what = "the trade-to-trade model" if thin else "the volume measures"
        raise StudyFileError(
            f"{spec.path}:{spec.prices.line}: prices: {what} read volume from "
            "per-listing CSV files or Yahoo, not from a long file (run with "
            "--prices DIR, or prices: {source: csv} or yahoo)"
        )
    # the volume measures need every listing's volume; trade-to-trade needs
    # it (as dollar volume) only with a threshold, else it falls back to stale prices
    dollar = thin and spec.thin_threshold is not None
    volume = load_volume(
        tickers,
        start,
        end,
        source="csv" if source == "csv" else "yahoo",
        prices_dir=pdir,
        cache_dir=cache_dir,
        dollar=dollar,
        required=dollar or not thin,
        purpose="thin_threshold" if thin else "a volume study",
    )
    blind = [str(t) for t in volume.columns if volume[t].isna().all()]
    if thin and blind:  # valid, but fewer non-trades than the user may expect
        warnings.warn(
            f"{spec.path}: thin_trading: no volume for {', '.join(blind)}: their "
            "non-trading days are only the sessions with a zero return (a stale "
            "close); zero-volume days with a changed price count as trades (give "
            "the price files a volume column)",
            EventStudyWarning,
            stacklevel=2,
        )
    return volume


def _sessions_only(prices: pd.DataFrame, spec: StudySpec) -> pd.DataFrame:
    """Drop price rows that are not sessions of the listing's exchange, with a warning.

    A benchmark is checked against the exchanges of the listings that use
    it. The warning names each ticker, the number of rows and the first days.
    """
    exchanges: dict[str, list[str]] = {}
    for ticker, listing in spec.listings.items():
        exchanges.setdefault(ticker, []).append(listing.exchange)
        exchanges.setdefault(listing.benchmark, []).append(listing.exchange)
    kept, dropped = drop_non_sessions(prices, exchanges)
    for ticker, days in dropped.items():
        shown = ", ".join(str(d.date()) for d in days[:3])
        more = f" and {len(days) - 3} more" if len(days) > 3 else ""
        warnings.warn(
            f"{ticker}: dropped {len(days)} price row(s) on days that are not "
            f"sessions of {'/'.join(dict.fromkeys(exchanges[ticker]))} ({shown}{more})",
            NonSessionWarning,
            stacklevel=3,
        )
    return kept


def study_design(spec: StudySpec) -> StudyDesign:
    """Return the :class:`StudyDesign` a study file declares."""
    from eventstudy.estimation.inference import ALL_TESTS

    lo, hi = spec.event_window
    wins = tuple(w for w in spec.car_windows if lo <= w[0] and w[1] <= hi)
    d = spec.design
    # the report's short battery always runs (caar.csv holds every test shown)
    tests: str | tuple[str, ...] = (
        "all"
        if "all" in spec.tests and set(spec.report.tests) <= set(ALL_TESTS)
        else tuple(
            dict.fromkeys(
                [
                    *(ALL_TESTS if "all" in spec.tests else spec.tests),
                    *spec.report.tests,
                ]
            )
        )
    )
    return StudyDesign(
        windows=wins,
        tests=tests,
        options={"ci_level": spec.report.ci_level},
        group_by=spec.group_by,
        primary=d.primary,
        min_group_size=d.min_group_size,
        issuer_unit=d.issuer_unit,
        overlap=d.overlap,
    )


def study_windows(results: EventStudyResults) -> list[tuple[int, int]]:
    """CAR windows of a run: the study's, then the pre- and post-event windows."""
    return results.family_windows()


def study_caar(results: EventStudyResults, spec: StudySpec) -> pd.DataFrame:
    """Every CAAR test of a study at both units, adjusted (``caar.csv``)."""
    if results.design == StudyDesign():
        results = results.with_design(study_design(spec))
    return results.caar_family()


def _portable(prices: dict[str, Any]) -> dict[str, Any]:
    """Drop machine-specific paths from the price manifest (keep file names and hashes)."""
    out = dict(prices)
    series = {}
    for ticker, info in prices.get("series", {}).items():
        info = dict(info)
        if "path" in info:
            info["file"] = Path(str(info.pop("path"))).name
        series[ticker] = info
    out["series"] = series
    return out


def _stored_filings(run: StudyRun) -> StoredFilings | None:
    """Check the catalog's events against the SEC filings in the local store (no fetch)."""
    if not isinstance(run.inputs.catalog, Catalog):
        return None
    from eventstudy.catalog.filings_check import stored_filings_check

    return stored_filings_check(
        run.inputs.catalog, run.inputs.events, cache_dir=run.cache_dir
    )


def _filings_sources(sources: Mapping[str, str], shown: int = 5) -> str:
    """Submissions files read from the store, with their sha256 (the first few)."""
    items = [f"{name} (sha256 {sha[:12]}…)" for name, sha in sources.items()]
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return "local store, offline: " + ", ".join(items[:shown]) + more


def _given_returns(prices: PriceSet) -> bool:
    """Whether the "prices" are returns read from a long file (no price to draw)."""
    return any(v.get("column") == "ret" for v in prices.provenance.values())


def write_study(
    run: StudyRun,
    out: str | Path,
    *,
    timestamp: bool = True,
    figures: bool = True,
    excel: bool = False,
    dask: str | None = None,
) -> dict[str, Path]:
    """Write the output folder of a study run (README, "Command line").

    Parameters
    ----------
    run : StudyRun
        The run.
    out : path
        Output folder.
    timestamp : bool
        Write ``created_at``; off for checked-in results.
    figures : bool
        Also write ``figures/*.png`` and ``report.html``; off for checked-in
        results (binary files are not compared).
    excel : bool
        Also write ``results.xlsx`` (a sheet per output table).
    dask : str, optional
        The Dask cluster the run was fitted on (``local:N`` or a scheduler
        address): recorded in the manifest and the report's settings (its
        numbers equal the in-memory fit's to about 1e-12, not bit for bit).

    Returns
    -------
    dict of str to Path
        Files written.
    """
    spec = run.spec
    study_text = Path(spec.path).read_text(encoding="utf-8")
    source = spec.events_file
    if spec.catalog is not None:
        source_key = "catalog"
        source_sha = sha256_text(source.read_text(encoding="utf-8"))
    else:  # an events table (Parquet is binary: hash the bytes)
        source_key = "events"
        source_sha = hashlib.sha256(source.read_bytes()).hexdigest()
    manifest: dict[str, Any] = {
        "study": {
            "name": spec.name,
            "file": Path(spec.path).name,
            "sha256": sha256_text(study_text),
            source_key: source.name,
            f"{source_key}_sha256": source_sha,
        },
        "prices": _portable(run.prices.to_manifest()),
        "price_sha256": dict(run.prices.sha256),
    }
    if run.factors is not None:
        manifest["factor_sha256"] = dict(run.factors.sources)
    options = _model_options(spec)
    manifest["study"].update(options)
    if dask is not None:
        manifest["dask"] = dask
        options["fitted on the Dask cluster"] = dask
    ev = run.inputs.events
    marks = pd.DataFrame(
        {
            "event_id": ev["event_id"],
            "ticker": ev["ticker"],
            "date": ev["day0"] if "day0" in ev.columns else ev["date"],
            "event": ev["event"] if "event" in ev.columns else ev["event_id"],
        }
    )
    prov = pd.DataFrame(
        [
            {
                "ticker": t,
                "source": info.get("provider", run.prices.source),
                "rows": info.get("rows"),
                "first": info.get("first_date"),
                "last": info.get("last_date"),
                "sha256": info.get("sha256"),
            }
            for t, info in manifest["prices"]["series"].items()
        ]
    )
    filings = _stored_filings(run) if figures else None
    sec_settings = (
        {"SEC filings (events section)": _filings_sources(filings.sources)}
        if filings is not None and filings.sources
        else {}
    )
    ctx = ReportContext(
        title=f"Event study: {spec.name}",
        settings={
            "study file": f"{Path(spec.path).name} (sha256 {manifest['study']['sha256'][:12]}…)",
            ("catalog" if source_key == "catalog" else "events table"): (
                f"{source.name} (sha256 {source_sha[:12]}…)"
            ),
            "listings": ", ".join(f"{t} vs {b}" for t, b in spec.benchmarks.items()),
            "tests": ", ".join(spec.tests),
            "grouped by": spec.group_by or "-",
            "events dated from prices left out (exclude_inferred_dates)": (
                spec.design.exclude_inferred_dates
            ),
            **options,
            **sec_settings,
        },
        prices=None if _given_returns(run.prices) else run.prices.prices,
        listings=list(spec.listings),
        events=marks,
        confounding=run.inputs.confounding,
        provenance=prov,
        group_by=spec.group_by,
        tests=spec.report.tests,
        overview=(
            events_overview(run.inputs.catalog, run.inputs.events)
            if isinstance(run.inputs.catalog, Catalog)
            else None
        ),
        measures=run.measures,
        filings=None if filings is None else filings.check,
        filings_note="" if filings is None else filings.note,
    )
    written = write_outputs(
        run.results,
        out,
        windows=study_windows(run.results),
        caar=run.caar,
        manifest=manifest,
        timestamp=timestamp,
        figures=figures,
        report=ctx,
        extra_csv={
            "confounding": run.inputs.confounding,
            "overlap": run.results.overlap(),
            **run.measures,
        },
        excel=excel,
    )
    if run.regression_text is not None:
        path = Path(out) / "regression.txt"
        atomic_write_text(path, run.regression_text + "\n")
        written["regression.txt"] = path
    return written
