"""The study file's ``measures:`` and what a run writes for each measure.

``measures: [car, bhar, volume, volatility]`` asks a study for buy-and-hold
abnormal returns, abnormal trading volume and abnormal volatility besides the
CARs. A measure may carry options as a one-key mapping::

    measures:
      - car
      - bhar: {window: [0, 250], benchmark: event}
      - volume: {model: constant_mean}
      - volatility: {window: [0, 2]}

Defaults: the BHAR over ``[0, last day of the event window]`` against each
event's benchmark; abnormal volume with the mean-adjusted model over the
study's CAR windows; volatility over the first CAR window. Each measure writes
its own CSV files (``bhar.csv`` and ``bhar_tests.csv``; ``volume_car.csv`` and
``volume_caar.csv``; ``volatility.csv`` and ``volatility_tests.csv``) and a
line of the summary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from eventstudy.estimation.results import EventStudyResults

__all__ = [
    "MEASURES",
    "MeasuresSpec",
    "measure_lines",
    "parse_measures",
    "run_measures",
]

MEASURES = ("car", "bhar", "volume", "volatility")
_OPTIONS = {
    "car": (),
    "bhar": ("window", "benchmark"),
    "volume": ("model",),
    "volatility": ("window",),
}


@dataclass(frozen=True)
class MeasuresSpec:
    """The measures a study asks for, with their options."""

    names: tuple[str, ...] = ("car",)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def window(self, name: str, default: tuple[int, int]) -> tuple[int, int]:
        """Return the measure's window, or ``default``."""
        w = self.options.get(name, {}).get("window")
        return (int(w[0]), int(w[1])) if w is not None else default


def parse_measures(
    doc: Any, add: Callable[[int, str, str], None], yaml_repr: Callable[[Any], str]
) -> MeasuresSpec:
    """Read the ``measures:`` key of a study document.

    Parameters
    ----------
    doc : LineDict
        The study document.
    add : callable
        ``add(line, field, message)`` records a problem.
    yaml_repr : callable
        Writes a value as YAML in messages.

    Returns
    -------
    MeasuresSpec
    """
    raw = doc.get("measures")
    if raw is None:
        return MeasuresSpec()
    line = doc.line_of("measures")
    if not isinstance(raw, list) or not raw:
        add(
            line,
            "measures",
            f"must be a list such as [car, bhar], got {yaml_repr(raw)}",
        )
        return MeasuresSpec()
    names: list[str] = []
    options: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(raw):
        at = raw.line_of(i) if hasattr(raw, "line_of") else line
        opts: Any = {}
        if isinstance(item, dict) and len(item) == 1:
            name, opts = next(iter(item.items()))
        else:
            name = item
        if not isinstance(name, str) or name not in MEASURES:
            add(
                at,
                f"measures[{i}]",
                f"unknown measure {yaml_repr(name)} (known: {', '.join(MEASURES)})",
            )
            continue
        if not isinstance(opts, dict):
            add(
                at,
                f"measures[{i}]",
                f"options of {name} must be a mapping, got {yaml_repr(opts)}",
            )
            continue
        for key, value in opts.items():
            if key not in _OPTIONS[name]:
                known = ", ".join(_OPTIONS[name]) or "none"
                add(at, f"measures.{name}.{key}", f"unknown option (known: {known})")
            elif key == "window" and not (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                and value[0] <= value[1]
            ):
                add(
                    at,
                    f"measures.{name}.window",
                    f"must be [first, last] relative days, got {yaml_repr(value)}",
                )
            elif key == "model" and value not in ("constant_mean", "market"):
                add(
                    at,
                    f"measures.{name}.model",
                    f"must be constant_mean or market, got {yaml_repr(value)}",
                )
            elif key == "benchmark" and not isinstance(value, str):
                add(
                    at,
                    f"measures.{name}.benchmark",
                    f"must be event, control or a ticker, got {yaml_repr(value)}",
                )
        if name in names:
            add(at, f"measures[{i}]", f"{name} is listed twice")
            continue
        names.append(name)
        options[name] = {str(k): v for k, v in opts.items()}
    return MeasuresSpec(tuple(names), options)


def _volume_results(
    res: EventStudyResults, volume: pd.DataFrame, model: str
) -> EventStudyResults:
    from eventstudy.estimation.event_study import EventStudy

    study = res._study_inputs().study
    events = study.events.drop(columns=[c for c in ("day0",) if c in study.events])
    tickers = sorted(set(events["ticker"]) | set(events["benchmark"].dropna()))
    vol = volume.reindex(columns=[t for t in tickers if t in volume.columns])
    vs = EventStudy(
        None,
        events if model == "market" else events.assign(benchmark=None),
        measure="volume",
        volume=vol,
        model=model,
        benchmark=None,
        estimation_window=study.estimation_window,
        event_window=study.event_window,
        min_estimation_obs=study.min_estimation_obs,
        sessions=study.sessions,
    )
    vs.exclude = study.exclude
    return vs.fit()


def run_measures(
    spec: MeasuresSpec,
    res: EventStudyResults,
    *,
    car_windows: tuple[tuple[int, int], ...],
    volume: Callable[[], pd.DataFrame] | None = None,
    seed: int = 1,
) -> dict[str, pd.DataFrame]:
    """Compute every measure but the CAR; one frame per output file.

    Parameters
    ----------
    spec : MeasuresSpec
        The measures asked for.
    res : EventStudyResults
        The study's fitted results.
    car_windows : tuple of (int, int)
        The study's CAR windows (volume CARs use them).
    volume : callable, optional
        Returns the volume frame (called only when ``volume`` is asked for).
    seed : int
        Seed of the BHAR bootstrap.

    Returns
    -------
    dict of str to DataFrame
        File stem (``bhar``, ``bhar_tests``, ...) to frame.
    """
    out: dict[str, pd.DataFrame] = {}
    lo, hi = res.panel.rel_days[0], res.panel.rel_days[-1]
    if "bhar" in spec.names:
        a, b = spec.window("bhar", (0, int(hi)))
        bench = str(spec.options.get("bhar", {}).get("benchmark", "event"))
        frame = res.bhar(a, b, benchmark=bench)
        frame.insert(0, "window", f"[{a},{b:+d}]")
        out["bhar"] = frame.reset_index()
        tests = res.bhar_test(a, b, benchmark=bench, seed=seed)
        tests.insert(0, "window", f"[{a},{b:+d}]")
        out["bhar_tests"] = tests.reset_index()
    if "volume" in spec.names:
        if volume is None:
            raise ValueError("measures: volume needs the listings' traded volume")
        model = str(spec.options.get("volume", {}).get("model", "constant_mean"))
        vres = _volume_results(res, volume(), model)
        wins = tuple(w for w in car_windows if lo <= w[0] and w[1] <= hi)
        out["volume_car"] = vres.cars(wins)
        out["volume_caar"] = pd.concat(
            [vres.caar(a, b, tests="all") for a, b in wins], ignore_index=True
        )
    if "volatility" in spec.names:
        a, b = spec.window("volatility", car_windows[0] if car_windows else (0, 0))
        per = res.abnormal_volatility(a, b)
        per.insert(0, "window", f"[{a},{b:+d}]")
        out["volatility"] = per.reset_index()
        tests = res.volatility_test(a, b)
        tests.insert(0, "window", f"[{a},{b:+d}]")
        out["volatility_tests"] = tests.reset_index()
    return out


def measure_lines(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    """One summary line per measure beyond the CAR."""
    lines = []
    if "bhar_tests" in frames:
        t = frames["bhar_tests"].set_index("test")
        w = str(t["window"].iloc[0])
        lines.append(
            f"BHAR {w}: mean {t['mean'].iloc[0]:.2%} over {int(t['n'].iloc[0])} events, "
            f"skewness-adjusted t p = {t['p_value']['skew_adjusted_t']:.4f}, "
            f"bootstrap p = {t['p_value']['bootstrap_skew_adjusted_t']:.4f} (bhar.csv)"
        )
    if "volume_caar" in frames:
        c = frames["volume_caar"]
        c = c[(c["test"] == "csect_t") & (c["group"].astype(str) == "all")]
        if len(c):
            r = c.iloc[0]
            lines.append(
                f"Abnormal log volume {r['window']!s}: {r['caar']:.3f} "
                f"(about {np.expm1(r['caar']):+.0%} volume), csect_t p = "
                f"{r['p_value']:.4f} (volume_car.csv)"
            )
    if "volatility_tests" in frames:
        t = frames["volatility_tests"].set_index("test")
        lines.append(
            f"Abnormal volatility {t['window'].iloc[0]!s}: mean variance ratio "
            f"{t['mean_ratio'].iloc[0]:.2f}, csect_t p = {t['p_value']['csect_t']:.4f} "
            "(volatility.csv)"
        )
    return lines
