"""Results of an event study: abnormal returns, parameters, CARs and skipped events."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from eventstudy.estimation.engine import EngineOutput
from eventstudy.estimation.panel import AbnormalPanel

__all__ = ["DEFAULT_CAR_WINDOWS", "EventStudyResults", "StudySettings", "format_window"]

#: CAR windows reported by default (DESIGN.md §3).
DEFAULT_CAR_WINDOWS: tuple[tuple[int, int], ...] = (
    (0, 0),
    (-1, 1),
    (0, 1),
    (-2, 2),
    (-5, 5),
    (-10, 10),
)


def format_window(a: int, b: int) -> str:
    """Write a window as ``[-1,+1]`` (the output-file convention).

    Examples
    --------
    >>> format_window(-1, 1)
    '[-1,+1]'
    >>> format_window(0, 0)
    '[0,0]'
    """

    def one(v: int) -> str:
        return f"+{v}" if v > 0 else str(v)

    return f"[{one(a)},{one(b)}]"


def _t_sf(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    """``scipy.stats.t.sf(t, df)`` (``special.stdtr(df, -t)``), on two threads.

    The Student t tail is the costliest step of a CAR table (about 0.2 µs per
    event); scipy's ufunc releases the GIL, so the halves run in parallel.
    """
    n = t.size
    if n < 200_000:
        return np.asarray(special.stdtr(df, -t), dtype=np.float64)
    out = np.empty(n)
    half = n // 2

    def run(sl: slice) -> None:
        out[sl] = special.stdtr(df[sl], -t[sl])

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, [slice(0, half), slice(half, n)]))
    return out


@dataclass(frozen=True)
class StudySettings:
    """The request behind a set of results (stored on results and in manifests)."""

    model: str
    benchmark: str | None
    estimation_window: tuple[int, int]
    event_window: tuple[int, int]
    min_estimation_obs: int
    return_kind: str
    exclude: bool
    n_events: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        d = asdict(self)
        d["estimation_window"] = list(self.estimation_window)
        d["event_window"] = list(self.event_window)
        return d


class EventStudyResults:
    """Results of :meth:`EventStudy.fit`.

    Attributes are read-only; tables are built on first access.
    """

    def __init__(
        self, output: EngineOutput, settings: StudySettings, events: pd.DataFrame
    ) -> None:
        self._out = output
        self.settings = settings
        self._events = events

    # ------------------------------------------------------------------ core
    @property
    def panel(self) -> AbnormalPanel:
        """The event-time panel (arrays) behind every table."""
        return self._out.panel

    @property
    def parameters(self) -> pd.DataFrame:
        """Estimated parameters per ``event_id``.

        Columns: ticker, benchmark, model, day0, alpha, beta (or the factor
        loadings), sigma, nobs, df, est_start, est_end.
        """
        return self._out.parameters

    @property
    def skipped(self) -> pd.DataFrame:
        """``event_id, ticker, reason`` of every event that was not estimated."""
        return self._out.skipped

    @property
    def events(self) -> pd.DataFrame:
        """The validated events frame (all events, estimated or not)."""
        return self._events

    @cached_property
    def abnormal_returns(self) -> pd.DataFrame:
        """Long table: event_id, rel_day, date, ret, expected, ar, ar_se.

        Days outside the listing's data are left out; days inside the data
        with a missing return keep a row with NaN ``ar``.
        """
        pn = self.panel
        n, L = pn.ar.shape
        inside = ~np.isnat(pn.dates)
        frame = pd.DataFrame(
            {
                "event_id": np.repeat(pn.event_ids.to_numpy(), L),
                "rel_day": np.tile(pn.rel_days, n),
                "date": pn.dates.ravel(),
                "ret": pn.ret.ravel(),
                "expected": pn.expected.ravel(),
                "ar": pn.ar.ravel(),
                "ar_se": np.sqrt(pn.ar_var).ravel(),
            }
        )
        out: pd.DataFrame = frame[inside.ravel()].reset_index(drop=True)
        return out

    def car(self, a: int, b: int) -> pd.DataFrame:
        """Cumulative abnormal return over ``[a, b]`` for every event.

        ``Var(CAR) = γ'Vγ`` with the full cross-day covariance (MacKinlay
        1997, eq. 13; CLM ch. 4), ``t = CAR / se`` and a two-sided p-value
        from ``t(M - k)``.

        Parameters
        ----------
        a, b : int
            First and last relative day (inclusive), inside the event window.

        Returns
        -------
        DataFrame
            Index ``event_id``; columns car, se, t, p_value, df, ndays
            (valid days in the window).
        """
        return pd.DataFrame(
            self._car_columns(int(a), int(b)), index=self.panel.event_ids
        )

    def _car_columns(self, a: int, b: int) -> dict[str, np.ndarray]:
        pn = self.panel
        car, var, nd = pn.car_moments(a, b)
        se = np.sqrt(var)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = car / se
        pv = 2.0 * _t_sf(np.abs(t), pn.df)
        return {"car": car, "se": se, "t": t, "p_value": pv, "df": pn.df, "ndays": nd}

    def cars(self, windows: tuple[tuple[int, int], ...] | None = None) -> pd.DataFrame:
        """CARs for several windows in one long table (``window`` as ``[-1,+1]``)."""
        wins = windows or tuple(w for w in DEFAULT_CAR_WINDOWS if self._inside(w))
        n = self.panel.n_events
        cols = [self._car_columns(int(a), int(b)) for a, b in wins]
        ids = self.panel.event_ids
        labels = pd.Index([format_window(a, b) for a, b in wins])
        out: dict[str, Any] = {
            "event_id": ids.take(np.tile(np.arange(n), len(wins))),
            "window": labels.take(np.repeat(np.arange(len(wins)), n)),
        }
        for key in ("car", "se", "t", "p_value", "df", "ndays"):
            out[key] = (
                np.concatenate([c[key] for c in cols])
                if cols
                else np.empty(0, dtype=np.float64)
            )
        return pd.DataFrame(out).rename_axis(None)

    def _labels(self, by: str | pd.Series | None) -> pd.Series | None:
        if by is None:
            return None
        if isinstance(by, str):
            if by not in self._events.columns:
                raise ValueError(
                    f"by={by!r} is not a column of the events; "
                    f"available: {list(self._events.columns)}"
                )
            labels: pd.Series = self._events.set_index("event_id")[by]
        else:
            labels = pd.Series(by)
        return labels.reindex(self.panel.event_ids)

    def caar(
        self,
        a: int,
        b: int,
        tests: str | Sequence[str] = "all",
        by: str | pd.Series | None = None,
        **options: Any,
    ) -> pd.DataFrame:
        """CAAR over ``[a, b]`` with significance tests, over all events or by group.

        Parameters
        ----------
        a, b : int
            First and last relative day (inclusive); ``a == b`` gives the
            day-level (AAR) tests.
        tests : str or sequence of str
            ``"all"`` or names from DESIGN.md §3 (``csect_t``, ``patell``,
            ``bmp``, ``kp_bmp``, ``corrado_rank``, ``grank``, ...).
        by : str or Series, optional
            A column of the events (``"group"``, ``"type"``) or labels indexed
            by ``event_id``.
        **options
            Passed to :func:`eventstudy.estimation.inference.caar_tests`
            (``seed``, ``estudy2_compat``, ...).

        Returns
        -------
        DataFrame
            One row per (group, test): group, window, test, n, caar,
            statistic, p_value, df, distribution, reason.
        """
        from eventstudy.estimation.inference import caar_tests

        return caar_tests(
            self.panel, int(a), int(b), tests=tests, by=self._labels(by), **options
        )

    def aar(
        self,
        tests: str | Sequence[str] = "all",
        by: str | pd.Series | None = None,
        **options: Any,
    ) -> pd.DataFrame:
        """AAR per relative day with every requested test (see :meth:`caar`)."""
        from eventstudy.estimation.inference import aar_table

        return aar_table(self.panel, tests=tests, by=self._labels(by), **options)

    def _inside(self, w: tuple[int, int]) -> bool:
        lo, hi = self.settings.event_window
        return lo <= w[0] and w[1] <= hi

    # --------------------------------------------------------------- display
    def summary(self) -> str:
        """Summarize settings, counts and the CAR table of each event as text."""
        s = self.settings
        lines = [
            "Event study results",
            "=" * 72,
            f"Model: {s.model:<22} Benchmark: {s.benchmark or '-'}",
            f"Estimation window: {list(s.estimation_window)!s:<14} Event window: {list(s.event_window)}",
            f"Events: {s.n_events}   estimated: {self.panel.n_events}   skipped: {len(self.skipped)}",
            "-" * 72,
        ]
        wins = [w for w in DEFAULT_CAR_WINDOWS if self._inside(w)]
        if self.panel.n_events:
            tab = pd.DataFrame(index=self.panel.event_ids)
            for a, b in wins:
                c = self.car(a, b)
                stars = np.select(
                    [c["p_value"] < 0.01, c["p_value"] < 0.05, c["p_value"] < 0.10],
                    ["***", "**", "*"],
                    "",
                )
                tab[format_window(a, b)] = [
                    f"{v:.4f}{st}" if np.isfinite(v) else "nan"
                    for v, st in zip(c["car"], stars, strict=True)
                ]
            lines.append(
                "CAR by event and window (* p<0.10, ** p<0.05, *** p<0.01, t(M-k))"
            )
            lines.append(tab.to_string())
        if len(self.skipped):
            lines.append("-" * 72)
            lines.append("Skipped events:")
            lines.extend(
                f"  {r.event_id}: {r.reason}" for r in self.skipped.itertuples()
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<EventStudyResults model={self.settings.model} "
            f"events={self.panel.n_events} skipped={len(self.skipped)}>"
        )
