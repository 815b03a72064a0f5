"""Speed at scale: the batched engine on up to a million events (issue 7).

Run from the project root: ``nox -s bench`` or
``python benchmarks/bench_scale.py [N ...]`` (default 10000 100000 1000000).
Each N runs in its own subprocess so that peak memory (``ru_maxrss``) is per N.

Per N:

* a synthetic panel of 2,000 listings x 2,600 business days (market model,
  betas U(0.5, 1.5), 0.1% of the listing returns missing) plus a market
  column ``MKT``; N events spread over listings and dates so that the
  estimation window (-250, -11) and the event window (-10, 10) fit;
* timed: ``EventStudy(returns, events, benchmark="MKT").fit()``, ``res.cars()``
  and ``res.caar(a, b, tests=PARAMETRIC)`` for every default CAR window
  (events/s = N / that time);
* timed separately: ``res.caar(-1, 1, tests=RANK)`` (N <= 100,000 by default);
* a naive per-event loop (pandas slicing + ``statsmodels`` OLS + the CAR
  covariance, for the same default windows) on a random subsample of 200
  events, as events/s and the ratio engine / loop;
* accuracy: alpha, beta, sigma, every AR, CAR[-1,+1] and its standard error of
  50 random events against ``tests/naive_event_study.py`` (an independent
  per-event statsmodels implementation); prints FAIL above 1e-9.

The results table goes to stdout and, with ``--write``, into
``benchmarks/README.md``. Timings are informational, never pass/fail tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_LISTINGS = 2000
N_DAYS = 2600
EST = (-250, -11)
WIN = (-10, 10)
PARAMETRIC = [
    "csect_t",
    "crude_dependence",
    "patell",
    "kp_patell",
    "bmp",
    "kp_bmp",
    "skewness_t",
]
RANK = [
    "corrado_rank",
    "cz_rank",
    "cz_sign",
    "grank",
    "wilcoxon",
    "sign",
    "generalized_sign",
]
RANK_WINDOW = (-1, 1)
LOOP_EVENTS = 200
ACCURACY_EVENTS = 50
TOLERANCE = 1e-9
README = ROOT / "benchmarks" / "README.md"
MARK_BEGIN = "<!-- bench-table:begin -->"
MARK_END = "<!-- bench-table:end -->"


def make_panel(seed: int = 7) -> pd.DataFrame:
    """Wide returns, 2,600 business days x (2,000 listings + ``MKT``)."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2010-01-04", periods=N_DAYS)
    mkt = rng.normal(0.0003, 0.01, N_DAYS)
    beta = rng.uniform(0.5, 1.5, N_LISTINGS)
    alpha = rng.normal(0.0, 0.0005, N_LISTINGS)
    sd = rng.uniform(0.01, 0.03, N_LISTINGS)
    ret = alpha + mkt[:, None] * beta + rng.standard_normal((N_DAYS, N_LISTINGS)) * sd
    ret[rng.random(ret.shape) < 0.001] = np.nan
    cols = [f"S{i:04d}" for i in range(N_LISTINGS)]
    frame = pd.DataFrame(ret, index=dates, columns=cols)
    frame["MKT"] = mkt
    return frame


def make_events(returns: pd.DataFrame, n: int, seed: int = 11) -> pd.DataFrame:
    """N events on random (listing, date) pairs whose windows fit in the data."""
    rng = np.random.default_rng(seed)
    lo, hi = -EST[0] + 5, N_DAYS - WIN[1] - 5
    tick = rng.integers(0, N_LISTINGS, n)
    day = rng.integers(lo, hi, n)
    names = np.asarray(returns.columns[:N_LISTINGS], dtype=object)
    return pd.DataFrame(
        {
            "event_id": [f"E{i:07d}" for i in range(n)],
            "ticker": names[tick],
            "date": returns.index[day],
        }
    )


def per_event_loop(
    returns: pd.DataFrame, events: pd.DataFrame, windows: list[tuple[int, int]]
) -> float:
    """The naive way: one statsmodels OLS per event; returns events/s."""
    import statsmodels.api as sm

    mkt = returns["MKT"]
    t0 = time.perf_counter()
    for ev in events.itertuples(index=False):
        r = returns[ev.ticker].dropna()
        m = mkt.reindex(r.index)
        d0 = int(r.index.searchsorted(ev.date))
        est = slice(d0 + EST[0], d0 + EST[1] + 1)
        ye, xe = r.iloc[est].to_numpy(), m.iloc[est].to_numpy()
        ok = np.isfinite(ye) & np.isfinite(xe)
        X = sm.add_constant(xe[ok], prepend=True)
        fit = sm.OLS(ye[ok], X).fit()
        win = slice(d0 + WIN[0], d0 + WIN[1] + 1)
        xw = m.iloc[win].to_numpy()
        Xs = np.column_stack([np.ones_like(xw), xw])
        ar = r.iloc[win].to_numpy() - Xs @ fit.params
        V = fit.scale * (np.eye(len(ar)) + Xs @ np.linalg.inv(X.T @ X) @ Xs.T)
        rel = np.arange(WIN[0], WIN[1] + 1)
        for a, b in windows:
            g = ((rel >= a) & (rel <= b)).astype(float)
            car = g @ ar
            se = np.sqrt(g @ V @ g)
            _ = car / se
    return len(events) / (time.perf_counter() - t0)


def accuracy(res: object, returns: pd.DataFrame, events: pd.DataFrame) -> float:
    """Max abs difference to tests/naive_event_study.py over a sample of events."""
    from tests.naive_event_study import naive_event

    params = res.parameters  # type: ignore[attr-defined]
    ar = res.abnormal_returns.set_index(["event_id", "rel_day"])  # type: ignore[attr-defined]
    car = res.car(-1, 1)  # type: ignore[attr-defined]
    worst = 0.0
    for ev in events.itertuples(index=False):
        nv = naive_event(
            returns, ev.event_id, ev.ticker, ev.date, "MKT", est=EST, win=WIN
        )
        assert nv is not None
        p = params.loc[ev.event_id]
        diffs = [
            abs(p["alpha"] - nv.params[0]),
            abs(p["beta"] - nv.params[1]),
            abs(p["sigma"] - nv.sigma),
        ]
        mine = ar.loc[ev.event_id].loc[nv.rel, "ar"].to_numpy()
        diffs.append(float(np.max(np.abs(mine - nv.ar))))
        c, var, _, _ = nv.car(-1, 1)
        diffs.append(abs(car.loc[ev.event_id, "car"] - c))
        diffs.append(abs(car.loc[ev.event_id, "se"] - np.sqrt(var)))
        worst = max(worst, *diffs)
    return worst


def peak_gib() -> float:
    """Peak resident set size of this process in GiB (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def warm_memory(gib: float) -> None:
    """Touch ``gib`` GiB in a throwaway process (see README: VM first touch)."""
    code = (
        f"import numpy as np\na = [np.ones(2**27) for _ in range({max(int(gib), 0)})]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def run_one(n: int, rank: bool) -> dict[str, object]:
    """Everything for one N (run in a fresh process)."""
    import eventstudy
    import eventstudy.estimation.inference  # imported here: imports are not timed
    from eventstudy.estimation.results import DEFAULT_CAR_WINDOWS

    returns = make_panel()
    events = make_events(returns, n)
    windows = list(DEFAULT_CAR_WINDOWS)

    t0 = time.perf_counter()
    res = eventstudy.EventStudy(returns, events, benchmark="MKT", model="market").fit()
    t1 = time.perf_counter()
    cars = res.cars()
    t2 = time.perf_counter()
    for a, b in windows:
        res.caar(a, b, tests=PARAMETRIC)
    t3 = time.perf_counter()
    total = t3 - t0
    rank_s = float("nan")
    if rank:
        r0 = time.perf_counter()
        res.caar(*RANK_WINDOW, tests=RANK)
        rank_s = time.perf_counter() - r0
    peak_timed = peak_gib()
    assert len(res.skipped) == 0, res.skipped.head()
    assert len(cars) == n * len(windows)

    rng = np.random.default_rng(3)
    loop_rows = rng.choice(n, size=min(LOOP_EVENTS, n), replace=False)
    per_event_loop(returns, events.iloc[:20], windows)  # warm-up (lazy imports)
    loop_rate = per_event_loop(returns, events.iloc[loop_rows], windows)
    acc_rows = rng.choice(n, size=min(ACCURACY_EVENTS, n), replace=False)
    acc = accuracy(res, returns, events.iloc[acc_rows])
    return {
        "n": n,
        "fit_s": t1 - t0,
        "cars_s": t2 - t1,
        "parametric_s": t3 - t2,
        "total_s": total,
        "events_per_s": n / total,
        "loop_events_per_s": loop_rate,
        "ratio": (n / total) / loop_rate,
        "rank_s": rank_s,
        "peak_gib": peak_timed,
        "max_diff": acc,
    }


def table(rows: list[dict[str, object]]) -> str:
    """Markdown table of the results."""
    head = (
        "| N | fit + CARs + parametric (s) | of which fit / cars / tests (s) "
        "| events/s | loop events/s | ratio | rank tests (s) | peak RSS (GiB) "
        "| max abs diff |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        rank = r["rank_s"]
        rank_txt = f"{rank:.2f}" if isinstance(rank, float) and rank == rank else "-"
        lines.append(
            f"| {r['n']:,} | {r['total_s']:.2f} "
            f"| {r['fit_s']:.2f} / {r['cars_s']:.2f} / {r['parametric_s']:.2f} "
            f"| {r['events_per_s']:,.0f} | {r['loop_events_per_s']:,.0f} "
            f"| {r['ratio']:,.0f}x | {rank_txt} | {r['peak_gib']:.2f} "
            f"| {r['max_diff']:.1e}{' FAIL' if float(r['max_diff']) > TOLERANCE else ''} |"  # type: ignore[arg-type]
        )
    return "\n".join(lines)


def write_readme(text: str) -> None:
    """Replace the table between the markers of benchmarks/README.md."""
    doc = README.read_text(encoding="utf-8")
    a, b = doc.index(MARK_BEGIN), doc.index(MARK_END)
    README.write_text(
        doc[: a + len(MARK_BEGIN)] + "\n" + text + "\n" + doc[b:], encoding="utf-8"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument(
        "--rank-max",
        type=int,
        default=100_000,
        help="run the rank tests for N up to this (default 100000)",
    )
    ap.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    ap.add_argument(
        "--warm",
        type=float,
        default=8.0,
        help="GiB to touch in a throwaway process before each N (0: off)",
    )
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.one <= args.rank_max)))
        return
    rows = []
    for n in args.sizes:
        if args.warm > 0:
            warm_memory(args.warm)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--rank-max",
                str(args.rank_max),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"N={n:,}: {row['total_s']:.2f} s, {row['events_per_s']:,.0f} events/s, "
            f"max diff {row['max_diff']:.1e}"
            + (" FAIL" if row["max_diff"] > TOLERANCE else ""),
            flush=True,
        )
    text = table(rows)
    host = (
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}."
    )
    print(text)
    print(host)
    if args.write:
        write_readme(text + "\n\n" + host)


if __name__ == "__main__":
    main()
