"""Results methods for the measures beyond the CAR (BHAR, abnormal volatility).

A mixin of :class:`~eventstudy.estimation.results.EventStudyResults`: the
formulas live in :mod:`eventstudy.measures`; these methods only hand them the
study's own returns, events and day 0s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from eventstudy.estimation.panel import AbnormalPanel

__all__ = ["MeasuresMixin", "StudyInputs"]


@dataclass(frozen=True)
class StudyInputs:
    """The data a study was fitted on (kept for the long-horizon measures)."""

    returns: pd.DataFrame
    events: pd.DataFrame
    sessions: Mapping[str, pd.DatetimeIndex]
    study: Any = None  # the EventStudy (refits on other events: placebo, power)


class MeasuresMixin:
    """BHAR and abnormal-volatility methods of the results object."""

    _inputs: StudyInputs | None = None

    @property
    def panel(self) -> AbnormalPanel:
        """The event-time panel (defined by the results class)."""
        raise NotImplementedError

    @property
    def parameters(self) -> pd.DataFrame:
        """Parameters per event (defined by the results class)."""
        raise NotImplementedError

    def _study_inputs(self) -> StudyInputs:
        if self._inputs is None:
            raise ValueError(
                "these results do not hold the study's returns (results built "
                "outside EventStudy.fit); call eventstudy.measures.bhar directly"
            )
        return self._inputs

    def bhar(self, a: int, b: int, *, benchmark: str = "event") -> pd.DataFrame:
        """Buy-and-hold abnormal return of every event over ``a..b``.

        ``prod(1 + R_it) - prod(1 + R_bt)`` over the relative days ``a..b`` of
        the listing's own sessions, from each event's day 0 (Barber and Lyon
        1997; see :func:`eventstudy.measures.bhar`). The window may reach far
        past the event window (``(0, 250)``); an event whose returns end
        inside it is truncated at its last return and flagged ``truncated``.
        Every event of the study gets a row, also those the engine skipped:
        a BHAR needs no estimation window.

        Parameters
        ----------
        a, b : int
            First and last relative day, inclusive.
        benchmark : str
            ``"event"`` (default): each event's benchmark; ``"control"``: a
            matched control firm per event from the events' ``control``
            column; ``"model"``: the model's expected returns (only inside the
            event window, where the engine predicts them); any other string:
            a column of the returns used for every event (a reference
            portfolio).

        Returns
        -------
        DataFrame
            Index ``event_id``; ticker, benchmark, start, end, ndays, bhr,
            benchmark_bhr, bhar, truncated, reason.
        """
        if benchmark == "model":
            return self._bhar_model(int(a), int(b))
        from eventstudy.measures.bhar import bhar as _bhar

        inp = self._study_inputs()
        # every event of the study, estimated or not: a BHAR needs no
        # estimation window (day 0 is the first session on or after its date,
        # as in the engine)
        ev = inp.events.copy()
        ev["day0"] = ev["date"]
        if benchmark == "event":
            column = "benchmark"
        elif benchmark == "control":
            column = "control"
        else:
            ev["_reference"] = benchmark
            column = "_reference"
        if column not in ev.columns or ev[column].isna().all():
            raise ValueError(
                f"bhar(benchmark={benchmark!r}): the events have no {column!r} "
                "column (give one per event, or name a returns column)"
            )
        return _bhar(inp.returns, ev, a, b, benchmark=column, sessions=inp.sessions)

    def _bhar_model(self, a: int, b: int) -> pd.DataFrame:
        pn = self.panel
        cols = pn.columns(a, b)
        ret, exp = pn.ret[:, cols], pn.expected[:, cols]
        ok = ~np.isnan(ret) & ~np.isnan(exp)
        bhr = np.prod(np.where(ok, 1 + ret, 1.0), axis=1) - 1
        bbhr = np.prod(np.where(ok, 1 + exp, 1.0), axis=1) - 1
        n = ok.sum(axis=1)
        return pd.DataFrame(
            {
                "ndays": n,
                "bhr": np.where(n > 0, bhr, np.nan),
                "benchmark_bhr": np.where(n > 0, bbhr, np.nan),
                "bhar": np.where(n > 0, bhr - bbhr, np.nan),
                "reason": np.where(n > 0, "", "no return inside the window"),
            },
            index=pn.event_ids,
        )

    def bhar_test(
        self,
        a: int,
        b: int,
        *,
        benchmark: str = "event",
        n_boot: int = 1000,
        seed: int | None = None,
    ) -> pd.DataFrame:
        """Lyon-Barber-Tsai (1999) tests of the mean BHAR over ``a..b``.

        Rows ``t``, ``skew_adjusted_t`` and ``bootstrap_skew_adjusted_t``; see
        :func:`eventstudy.measures.bhar_test`. Reproducible by ``seed``.
        """
        from eventstudy.measures.bhar import bhar_test as _test

        values = self.bhar(a, b, benchmark=benchmark)["bhar"]
        return _test(values, n_boot=n_boot, seed=seed)

    def abnormal_volatility(self, a: int, b: int) -> pd.DataFrame:
        """Per-event variance ratio over ``a..b`` (see :mod:`eventstudy.measures.volatility`)."""
        from eventstudy.measures.volatility import abnormal_volatility

        return abnormal_volatility(self, a, b)  # type: ignore[arg-type]

    def volatility_test(self, a: int, b: int) -> pd.DataFrame:
        """Across-event tests of abnormal volatility over ``a..b``."""
        from eventstudy.measures.volatility import abnormal_volatility, volatility_test

        return volatility_test(abnormal_volatility(self, a, b))  # type: ignore[arg-type]
