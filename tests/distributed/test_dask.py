"""The Dask path equals the local fit (issue 20), on a LocalCluster of two processes.

One cluster for the module (small data); closing it must leave no process.
Every comparison is against the local ``fit()`` of the same study, which the
estimation tests check against independent computations.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.estimation.inference import ALL_TESTS, EXTRA_TESTS
from eventstudy.simulate import simulate_market

distributed = pytest.importorskip("distributed", reason="needs eventstudy[dask]")
psutil = pytest.importorskip("psutil", reason="comes with distributed")

# dashboard_address=None still serves the scheduler's HTTP routes; when another
# cluster on the machine holds the default port, distributed warns and picks a
# free one (the suite turns warnings into errors)
pytestmark = [
    pytest.mark.filterwarnings("ignore:Port .* is already in use:UserWarning"),
    # (the socket of that first, failed bind is left to the garbage collector)
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

ROOT = Path(__file__).resolve().parents[2]
TOL = {"rtol": 1e-12, "atol": 1e-12}
GARCH_TOL = {"rtol": 1e-5, "atol": 1e-9}
EVERY_TEST = [*ALL_TESTS, *EXTRA_TESTS]


def _children() -> set[int]:
    """Live child processes, without Python's multiprocessing resource tracker.

    (The tracker is started once per interpreter by the first process pool
    and lives until the interpreter exits; it is not a worker.)
    """
    out = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if p.status() == psutil.STATUS_ZOMBIE:
                continue
            if "resource_tracker" in " ".join(p.cmdline()):
                continue
        except psutil.NoSuchProcess:
            continue
        out.add(p.pid)
    return out


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    before = _children()
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
    )
    with distributed.Client(cluster) as c:
        assert len(c.nthreads()) == 2
        assert len(_children() - before) >= 2  # two worker processes
        yield c
    cluster.close()
    deadline = time.monotonic() + 20.0
    while (left := _children() - before) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"processes left after closing the cluster: {sorted(left)}"


@pytest.fixture(scope="module")
def market() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Prices, returns and events with gaps, two benchmarks and skipped events."""
    m = simulate_market(n_listings=12, n_days=700, events_per_listing=4, seed=7)
    prices = m.prices.copy()
    rng = np.random.default_rng(1)
    prices["MARKET2"] = prices["MARKET"] * np.exp(
        np.cumsum(rng.normal(0, 0.002, len(prices)))
    )
    # a few missing prices (multi-day returns, gaps in windows)
    for t in ("SIM02", "SIM05", "SIM09"):
        prices.loc[prices.index[rng.choice(len(prices), 8, replace=False)], t] = np.nan
    returns = es.prices_to_returns(prices)
    ev = m.events.drop(columns="effect")
    ev.loc[ev.index % 5 == 0, "benchmark"] = "MARKET2"
    extra = pd.DataFrame(
        {
            "event_id": ["early-1", "late-1", "after-1"],
            "ticker": ["SIM03", "SIM04", "SIM05"],
            "date": [
                prices.index[30],
                prices.index[-1],
                prices.index[-1] + pd.Timedelta(days=9),
            ],
            "benchmark": ["MARKET", "MARKET", "MARKET"],
            "group": ["news", "news", "placebo"],
        }
    )
    # interleave: the blocks' events are not contiguous in the events' order
    ev = pd.concat([ev, extra]).sample(frac=1.0, random_state=3)
    return prices, returns, ev.reset_index(drop=True)


def _factor_model(returns: pd.DataFrame) -> es.FactorModel:
    rng = np.random.default_rng(2)
    f = pd.DataFrame(
        {
            "MKT": returns["MARKET"],
            "SMB": rng.normal(0, 0.004, len(returns)),
            "RF": 0.0001,
        },
        index=returns.index,
    )
    return es.FactorModel(f, ["MKT", "SMB"], risk_free="RF")


def _same(
    local: es.EventStudyResults,
    dist: es.EventStudyResults,
    tol: dict[str, float] | None = None,
) -> None:
    tol = tol or TOL
    pd.testing.assert_frame_equal(local.parameters, dist.parameters, **tol)
    pd.testing.assert_frame_equal(local.skipped, dist.skipped)
    pd.testing.assert_index_equal(local.panel.event_ids, dist.panel.event_ids)
    pd.testing.assert_frame_equal(local.cars(), dist.cars(), **tol)


def _same_caar(
    local: es.EventStudyResults,
    dist: es.EventStudyResults,
    window: tuple[int, int],
    tol: dict[str, float] | None = None,
    **kw: Any,
) -> None:
    a = local.caar(*window, tests=EVERY_TEST, **kw)
    b = dist.caar(*window, tests=EVERY_TEST, **kw)
    pd.testing.assert_frame_equal(a, b, **(tol or TOL))
    # the comparison is not vacuous: most tests give a number
    assert np.isfinite(b["statistic"].to_numpy(dtype=float)).sum() >= 10


MODELS = [
    "market",
    "constant_mean",
    "market_adjusted",
    "factor",
    "scholes_williams",
    "dimson",
    "garch",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_model_equals_the_local_fit(
    client: Any, market: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], model: str
) -> None:
    _, returns, events = market
    spec: Any = _factor_model(returns) if model == "factor" else model
    study = es.EventStudy(
        returns, events, benchmark="MARKET", model=spec, min_estimation_obs=100
    )
    local = study.fit()
    dist = study.fit(client=client, partitions=3)
    assert len(local.skipped) >= 2  # too early, after the data
    # GARCH is an iterative maximum likelihood: the workers' long arrays
    # (centred per segment) can differ from the driver's in the last bit,
    # which can move an event's stopping point within the optimizer's
    # tolerance (1e-7 in the log-likelihood): equal to 1e-5, not 1e-12
    tol = GARCH_TOL if model == "garch" else TOL
    _same(local, dist, tol)
    pd.testing.assert_frame_equal(local.abnormal_returns, dist.abnormal_returns, **tol)
    for by in (None, "group"):
        _same_caar(local, dist, (-1, 1), tol, by=by)
    _same_caar(local, dist, (0, 0), tol, by="group")


def test_options_and_paths_equal_the_local_fit(
    client: Any, market: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
) -> None:
    _, returns, events = market
    sessions = {"SIM02": returns.index, "SIM07": returns.index}  # gaps are gaps
    study = es.EventStudy(
        returns,
        events,
        benchmark="MARKET",
        min_estimation_obs=100,
        exclude="events",
        sessions=sessions,
    )
    local = study.fit()
    for persist in (True, False):
        dist = study.fit(client=client, partitions=5, persist=persist)
        _same(local, dist)
        _same_caar(local, dist, (-2, 2), by="group")
    dist = study.fit(client=client, partitions=4)
    # the Kolari-Pynnönen r̄ and crude dependence from the reduced residual
    # sums (the fast path), calendar alignment (streamed residuals), estudy2
    for opts in (
        {"kp_max_pairwise": 5},
        {"kp_align": "calendar"},
        {"estudy2_compat": True},
        {"cz_adjust": False, "gsign_phat": "pooled"},
    ):
        _same_caar(local, dist, (-1, 1), by="group", **opts)
    pd.testing.assert_frame_equal(
        local.aar(tests=["csect_t", "patell", "grank"]),
        dist.aar(tests=["csect_t", "patell", "grank"]),
        **TOL,
    )


def _write_store(prices: pd.DataFrame, root: Path) -> None:
    """One Parquet file per listing, as the price store writes them."""
    from eventstudy.data.store import _file_name

    root.mkdir()
    for t in prices.columns:
        s = prices[t].dropna()
        bars = pd.DataFrame(
            {"open": s.to_numpy(), "adj_close": s.to_numpy(), "volume": 1000},
            index=pd.DatetimeIndex(s.index, name="date"),
        )
        bars.to_parquet(root / f"{_file_name(t)}.parquet")


def test_from_parquet_reads_on_the_workers(
    client: Any,
    market: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
    tmp_path: Path,
) -> None:
    prices, returns, events = market
    prices = prices.rename(columns={"SIM06": "SIM/6"})
    events = events.assign(ticker=events["ticker"].replace({"SIM06": "SIM/6"}))
    returns = es.prices_to_returns(prices)
    root = tmp_path / "store"
    _write_store(prices, root)
    assert (root / "SIM%2F6.parquet").is_file()  # the store's file name
    kw: dict[str, Any] = {"benchmark": "MARKET", "min_estimation_obs": 100}
    ref = es.EventStudy(returns, events, **kw).fit()
    local = es.EventStudy.from_parquet(root, events, **kw).fit()
    dist = es.EventStudy.from_parquet(root, events, **kw).fit(
        client=client, partitions=3, persist=False
    )
    for res in (local, dist):
        _same(ref, res)
        pd.testing.assert_frame_equal(ref.abnormal_returns, res.abnormal_returns, **TOL)
    _same_caar(ref, dist, (-1, 1), by="group")
    # a listing without a file is an unknown column, with the closest names
    nope = events.assign(ticker=events["ticker"].replace({"SIM07": "SIM7"}))
    with pytest.raises(es.exceptions.ConfigurationError, match=r"'SIM7'.*SIM07"):
        es.EventStudy.from_parquet(root, nope, **kw)


def test_from_parquet_errors_name_the_file(
    market: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    _, _, events = market
    with pytest.raises(es.exceptions.PriceFileError, match="does not exist"):
        es.EventStudy.from_parquet(tmp_path / "missing", events)
    root = tmp_path / "bad"
    root.mkdir()
    days = pd.DatetimeIndex(["2024-01-02", "2024-01-03"], name="date")
    pd.DataFrame({"close": [1.0, 2.0]}, index=days).to_parquet(root / "SIM01.parquet")
    pd.DataFrame({"adj_close": [1.0, 2.0]}, index=days).to_parquet(
        root / "MARKET.parquet"
    )
    one = events[events["ticker"] == "SIM01"].assign(benchmark="MARKET")
    study = es.EventStudy.from_parquet(root, one, benchmark="MARKET")
    with pytest.raises(
        es.exceptions.PriceFileError, match=r"SIM01\.parquet.*adj_close"
    ):
        study.fit()


@pytest.mark.shared
def test_cli_runs_the_study_on_the_cluster(
    client: Any, prices_dir: Path, tmp_path: Path
) -> None:
    """``eventstudy run --dask tcp://...`` writes the checked-in results.

    (tests/test_checked_results.py holds the local run to the same files.)
    """
    from eventstudy.cli import main
    from tests.test_checked_results import RESULTS, STUDY, _compare_csv

    out = tmp_path / "dask"
    args = ["run", str(STUDY), "--prices", str(prices_dir), "--out", str(out)]
    args += ["--no-figures", "--no-timestamp", "--dask", client.scheduler.address]
    assert main(args) == 0
    for name in ("estimation.csv", "abnormal_returns.csv", "car.csv", "caar.csv"):
        _compare_csv(out / name, RESULTS / name)
    # equal to ~1e-12, not bit for bit: the manifest says where it was fitted
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["dask"] == client.scheduler.address


def test_bad_dask_spec_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from eventstudy.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["run", "x.yaml", "--dask", "local:0"])
    assert exc.value.code == 2
    assert "local:N" in capsys.readouterr().err


def test_missing_dask_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from eventstudy.distributed import require_distributed

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(
        es.exceptions.MissingDependencyError, match=r"eventstudy\[dask\]"
    ):
        require_distributed()


def test_blocks_keep_listings_whole() -> None:
    from eventstudy.distributed import plan_blocks

    tickers = pd.Series(list("AABBBCDDDDEF") * 3)
    blocks = plan_blocks(tickers, 4, n_workers=2)
    assert len(blocks) == 4
    allpos = np.sort(np.concatenate(blocks))
    np.testing.assert_array_equal(allpos, np.arange(len(tickers)))
    owner = {
        t: {i for i, b in enumerate(blocks) if t in set(tickers[b])} for t in "ABCDEF"
    }
    assert all(len(v) == 1 for v in owner.values())


def test_cars_and_car_tests_leave_event_window_arrays_on_the_workers(
    client: Any, market: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
) -> None:
    _, returns, events = market
    study = es.EventStudy(returns, events, benchmark="MARKET", min_estimation_obs=100)
    local = study.fit()
    dist = study.fit(client=client, partitions=3)
    panel = dist.panel
    lazy = ("ar", "ar_var", "valid", "dev", "cinv", "dates", "ret", "expected")

    def fetched() -> list[str]:
        return [n for n in lazy if isinstance(panel.__dict__[f"_lazy_{n}"], np.ndarray)]

    # every test whose inputs are per-event (CAR moments, the pass's pieces)
    per_event = [t for t in EVERY_TEST if t not in ("cz_rank", "lamb")]
    pd.testing.assert_frame_equal(local.cars(), dist.cars(), **TOL)
    for by in (None, "group"):
        a = local.caar(-1, 1, tests=per_event, by=by)
        b = dist.caar(-1, 1, tests=per_event, by=by)
        pd.testing.assert_frame_equal(a, b, **TOL)
    assert fetched() == []
    # a test that needs the event-day SARs fetches AR, Var(AR) and the valid
    # days once, with the numbers of the local fit
    a = local.caar(-1, 1, tests=["cz_rank"])
    b = dist.caar(-1, 1, tests=["cz_rank"])
    pd.testing.assert_frame_equal(a, b, **TOL)
    assert set(fetched()) == {"ar", "ar_var", "valid"}
    np.testing.assert_allclose(panel.ar, local.panel.ar, **TOL)
