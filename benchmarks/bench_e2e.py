"""The whole run against its engine: ``eventstudy run`` on generated studies (issue 21).

Run from the project root: ``nox -s bench`` or
``python benchmarks/bench_e2e.py [--write] [--profile N] [N ...]`` (default
5000 50000). Per N, in a fresh folder:

* a generated study of N events on 500 listings (XNYS) x about 2,600
  sessions (2015-2025): one price CSV per listing and one for the benchmark
  ``SPY`` (``date,adj_close``, market model), the events as a YAML catalog and
  as an events table (``events.csv``), and a study file for each;
* timed, each in its own subprocess (wall time and peak RSS):
  ``eventstudy run STUDY --prices DIR --no-figures`` with the YAML catalog and
  with the table, and a run with figures (table);
* the yardstick, in one subprocess: ``pandas.read_csv`` of the same 501 files,
  then the engine's fit, the six default CARs and the CAAR tests of the study
  (every test, overall and by type, for the six windows);
* with ``--profile N``: a cProfile of the table run at that N, its top stages;
* with ``--profile-figures N``: the study run once at that N, then its output
  folder written without and with figures, each figure's drawing time, and
  the peak RSS of each step.

The exponent is the least-squares slope of log(time) on log(N) over the Ns
run. Timings are informational, never pass/fail tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_LISTINGS = 500
START, END = "2015-01-02", "2025-05-30"  # about 2,620 XNYS sessions
MARK_BEGIN = "<!-- e2e-table:begin -->"
MARK_END = "<!-- e2e-table:end -->"
TYPES = ("earnings", "product", "partnership", "investment")
STUDY = """name: bench-{n}
{source}
listings:
{listings}
prices: {{source: csv, path: prices}}
returns: simple
model: market
estimation_window: [-250, -11]
event_window: [-10, 10]
car_windows: [[0, 0], [-1, 1], [0, 1], [-2, 2], [-5, 5], [-10, 10]]
tests: all
group_by: type
"""
# the stages of a run, as (module file suffix, function) in the profile
STAGES = (
    ("study_file.py", "load_study", "study file"),
    ("study_file.py", "study_catalog", "events (catalog / table read + validation)"),
    ("data/prices.py", "load_prices", "prices (read CSVs, hashes)"),
    ("data/returns.py", "prices_to_returns", "returns"),
    ("study_file.py", "engine_inputs", "day 0, confounding, engine frame"),
    ("event_study.py", "fit", "engine fit"),
    ("study.py", "study_caar", "CAAR battery"),
    ("study.py", "write_study", "writing the output folder"),
)


def tickers() -> list[str]:
    return [f"L{i:03d}" for i in range(N_LISTINGS)]


def generate(n: int, folder: Path, seed: int = 21) -> pd.DataFrame:
    """Write prices, catalog, table and study files; return the events' truth."""
    from eventstudy.data.sessions import sessions_between

    rng = np.random.default_rng(seed)
    sessions = sessions_between("XNYS", START, END)
    t = len(sessions)
    prices = folder / "prices"
    prices.mkdir(parents=True)
    days = sessions.strftime("%Y-%m-%d").to_numpy()
    market = rng.normal(0.0003, 0.01, t)
    _write_prices(prices / "SPY.csv", days, market)
    beta = rng.uniform(0.5, 1.5, N_LISTINGS)
    sd = rng.uniform(0.01, 0.03, N_LISTINGS)
    for i, name in enumerate(tickers()):
        ret = 0.0002 + beta[i] * market + rng.normal(0, sd[i], t)
        _write_prices(prices / f"{name}.csv", days, ret)
    lst = rng.integers(0, N_LISTINGS, n)
    pos = rng.integers(262, t - 12, n)
    timed = rng.random(n) < 0.5
    after_close = rng.random(n) < 0.5
    day = sessions[pos]
    clock = np.where(
        after_close, "T21:30:00+00:00", "T13:00:00+00:00"
    )  # after / before NY close
    date_text = day.strftime("%Y-%m-%d").to_numpy()
    announced = np.where(timed, np.char.add(date_text.astype(str), clock), date_text)
    ev = pd.DataFrame(
        {
            "id": [f"E{i}" for i in range(n)],
            "ticker": np.asarray(tickers())[lst],
            "announced": announced,
            "type": np.asarray(TYPES)[rng.integers(0, len(TYPES), n)],
            "title": [f"event {i}" for i in range(n)],
        }
    )
    ev.to_csv(folder / "events.csv", index=False)
    _write_catalog(folder / "catalog.yaml", ev)
    listings = "\n".join(
        f"  {tk}: {{exchange: XNYS, benchmark: SPY}}" for tk in tickers()
    )
    for name, source in (
        ("yaml", "catalog: catalog.yaml"),
        ("table", "events: {path: events.csv}"),
    ):
        (folder / f"study_{name}.yaml").write_text(
            STUDY.format(n=n, source=source, listings=listings), encoding="utf-8"
        )
    return ev


def _write_prices(path: Path, days: np.ndarray, ret: np.ndarray) -> None:
    price = 50.0 * np.cumprod(1.0 + ret)
    text = "\n".join(f"{d},{p:.6f}" for d, p in zip(days, price, strict=True))
    path.write_text("date,adj_close\n" + text + "\n", encoding="utf-8")


def _write_catalog(path: Path, ev: pd.DataFrame) -> None:
    lines = ["name: bench", "listings:"]
    lines += [f"  {tk}: {{exchange: XNYS}}" for tk in tickers()]
    lines.append("events:")
    for row in ev.itertuples(index=False):
        lines += [
            f"  - id: {row.id}",
            f"    title: {row.title}",
            f"    type: {row.type}",
            f"    announced: {row.announced}",
            f"    listings: [{row.ticker}]",
            "    sources: {research: [generated]}",
            "    confidence: medium",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


_RUNNER = """
import resource, sys, time
t0 = time.perf_counter()
from eventstudy.cli import main
rc = main(sys.argv[1:])
wall = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
print(f"__RESULT__ {rc} {wall:.3f} {peak:.3f}", file=sys.stderr)
"""


def timed_run(folder: Path, study: str, figures: bool) -> tuple[float, float]:
    """Wall seconds (process start to exit, imports included) and peak GiB."""
    out = folder / f"out_{study}_{int(figures)}"
    args = [
        "run",
        str(folder / f"study_{study}.yaml"),
        "--out",
        str(out),
        "--no-timestamp",
    ]
    if not figures:
        args.append("--no-figures")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    wall = time.perf_counter() - t0
    result = [ln for ln in proc.stderr.splitlines() if ln.startswith("__RESULT__")]
    if proc.returncode != 0 or not result or result[0].split()[1] != "0":
        raise RuntimeError(f"run failed:\n{proc.stderr[-3000:]}")
    return wall, float(result[0].split()[3])


_YARDSTICK = """
import sys, time, json
from pathlib import Path
import pandas as pd
folder = Path(sys.argv[1])
t0 = time.perf_counter()
cols = {}
for p in sorted((folder / "prices").glob("*.csv")):
    f = pd.read_csv(p, index_col="date", parse_dates=["date"])
    cols[p.stem] = f["adj_close"]
prices = pd.DataFrame(cols)
t_read = time.perf_counter() - t0
from eventstudy import EventStudy
from eventstudy.estimation.inference import caar_tests
from benchmarks.bench_e2e import engine_events
returns = prices.pct_change(fill_method=None)
events = engine_events(folder, returns)
t1 = time.perf_counter()
res = EventStudy(returns, events, model="market").fit()
cars = res.cars()
by = events.set_index("event_id")["type"].reindex(res.panel.event_ids)
for a, b in [(0, 0), (-1, 1), (0, 1), (-2, 2), (-5, 5), (-10, 10)]:
    caar_tests(res.panel, a, b, tests="all")
    caar_tests(res.panel, a, b, tests="all", by=by)
t_engine = time.perf_counter() - t1
print("__RESULT__ " + json.dumps({"read": t_read, "engine": t_engine}), file=sys.stderr)
"""


def engine_events(folder: Path, returns: pd.DataFrame) -> pd.DataFrame:
    """The engine's events frame of a generated study (day 0 from the sessions)."""
    from eventstudy.catalog.table import read_events_table

    table = read_events_table(folder / "events.csv", dict.fromkeys(tickers(), "XNYS"))
    ev = table.day0()
    return pd.DataFrame(
        {
            "event_id": ev["event"] + ":" + ev["ticker"],
            "ticker": ev["ticker"],
            "date": ev["day0"],
            "benchmark": "SPY",
            "type": ev["type"],
        }
    )


def yardstick(folder: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", _YARDSTICK, str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    result = [ln for ln in proc.stderr.splitlines() if ln.startswith("__RESULT__")]
    if proc.returncode != 0 or not result:
        raise RuntimeError(f"yardstick failed:\n{proc.stderr[-3000:]}")
    out: dict[str, float] = json.loads(result[0].split(" ", 1)[1])
    return out


def profile(folder: Path, cpu: bool = False) -> list[tuple[str, float]]:
    """Cumulative seconds of each stage of the table run under cProfile.

    ``cpu``: CPU seconds of this process instead of wall seconds (on a
    machine shared with other jobs, wall time mostly measures the others).
    """
    import cProfile
    import pstats

    from eventstudy.cli import main

    prof = cProfile.Profile(time.process_time) if cpu else cProfile.Profile()
    prof.enable()
    rc = main(
        [
            "run",
            str(folder / "study_table.yaml"),
            "--out",
            str(folder / "prof"),
            "--no-figures",
        ]
    )
    prof.disable()
    assert rc == 0
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    out = []
    for suffix, func, label in STAGES:
        cum = sum(
            v[3]
            for (file, _line, name), v in stats.items()
            if name == func and file.endswith(suffix)
        )
        out.append((label, cum))
    total = sum(
        v[3]
        for (f, _l, name), v in stats.items()
        if name == "main" and f.endswith("cli.py")
    )
    out.append(("total (under cProfile)", total))
    return out


def profile_figures(folder: Path) -> list[tuple[str, float, float]]:
    """Seconds (wall, CPU) of writing the outputs without and with figures."""
    import resource

    from eventstudy.report import build
    from eventstudy.study import run_study, write_study

    def peak() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    run = run_study(folder / "study_table.yaml")
    rows = [("run_study (peak GiB in the CPU column)", 0.0, peak())]
    drawn: list[tuple[str, float, float]] = []
    original = build._png

    def timed(fig: Any) -> bytes:
        w, c = time.perf_counter(), time.process_time()
        out = original(fig)
        drawn.append(
            ("  savefig of figure", time.perf_counter() - w, time.process_time() - c)
        )
        return out

    for figures in (False, True):
        build._png = timed  # type: ignore[assignment]
        w, c = time.perf_counter(), time.process_time()
        write_study(
            run, folder / f"fig{int(figures)}", timestamp=False, figures=figures
        )
        label = "write, with figures" if figures else "write, no figures"
        rows.append((label, time.perf_counter() - w, time.process_time() - c))
        rows.append(("  peak GiB so far", 0.0, peak()))
        build._png = original  # type: ignore[assignment]
    return rows + [(f"{lab} {i + 1}", w, c) for i, (lab, w, c) in enumerate(drawn)]


def run_n(n: int, figures: bool, yaml: bool = True) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"bench_e2e_{n}_") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        generate(n, folder)
        gen = time.perf_counter() - t0
        row: dict[str, float] = {"n": n, "generate": gen}
        if yaml:
            row["yaml"], row["yaml_gib"] = timed_run(folder, "yaml", False)
        row["table"], row["table_gib"] = timed_run(folder, "table", False)
        if figures:
            row["figures"], row["figures_gib"] = timed_run(folder, "table", True)
        ys = yardstick(folder)
        row["read"], row["engine"] = ys["read"], ys["engine"]
        row["yardstick"] = ys["read"] + ys["engine"]
        print(json.dumps(row), flush=True)
        return row


def exponent(ns: list[float], times: list[float]) -> float:
    if len(ns) < 2:
        return float("nan")
    return float(np.polyfit(np.log(ns), np.log(times), 1)[0])


def table(rows: list[dict[str, float]]) -> str:
    head = (
        "| N | run, YAML (s) | run, table (s) | run + figures (s) | yardstick: read_csv + engine (s) "
        "| table / yardstick | peak RSS, table (GiB) |\n|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    body = ""
    for r in rows:
        fig = f"{r['figures']:.1f}" if "figures" in r else "-"
        yml = f"{r['yaml']:.1f}" if "yaml" in r else "-"
        body += (
            f"| {int(r['n']):,} | {yml} | {r['table']:.1f} | {fig} | "
            f"{r['yardstick']:.1f} ({r['read']:.1f} + {r['engine']:.1f}) | "
            f"{r['table'] / r['yardstick']:.1f}x | {r['table_gib']:.2f} |\n"
        )
    ns = [r["n"] for r in rows]
    if len(ns) > 1:
        body += (
            f"\nFitted exponent of time in N: "
            f"table {exponent(ns, [r['table'] for r in rows]):.2f}, "
            f"yardstick {exponent(ns, [r['yardstick'] for r in rows]):.2f}.\n"
        )
    body += (
        "\n"
        f"Machine: {os.cpu_count()} CPUs (shared with other jobs while measured), "
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}.\n"
    )
    return head + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[5000, 50000])
    parser.add_argument(
        "--write", action="store_true", help="update benchmarks/README.md"
    )
    parser.add_argument(
        "--no-figures", action="store_true", help="skip the run with figures"
    )
    parser.add_argument(
        "--yaml-up-to",
        type=int,
        default=10**9,
        metavar="N",
        help="YAML runs only up to N",
    )
    parser.add_argument(
        "--rows", default="", help="JSON rows of earlier sizes to include"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="profile the table run at N"
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="with --profile: CPU seconds of the run (a shared machine) instead of wall",
    )
    parser.add_argument(
        "--profile-figures",
        type=int,
        default=0,
        metavar="N",
        help="time the figures and report at N (one run, written without and with)",
    )
    args = parser.parse_args()
    if args.profile_figures:
        with tempfile.TemporaryDirectory(prefix="bench_e2e_fig_") as tmp:
            generate(args.profile_figures, Path(tmp))
            for label, wall, cpu in profile_figures(Path(tmp)):
                print(f"{label:45s} {wall:8.2f} s wall {cpu:8.2f} s CPU")
        return
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="bench_e2e_prof_") as tmp:
            generate(args.profile, Path(tmp))
            for label, sec in profile(Path(tmp), args.cpu):
                print(f"{label:45s} {sec:8.2f} s")
        return
    rows = [json.loads(r) for r in args.rows.splitlines() if r.strip()]
    rows += [run_n(n, not args.no_figures, n <= args.yaml_up_to) for n in args.sizes]
    text = table(rows)
    print(text)
    if args.write:
        readme = ROOT / "benchmarks" / "README.md"
        doc = readme.read_text(encoding="utf-8")
        a, b = doc.index(MARK_BEGIN) + len(MARK_BEGIN), doc.index(MARK_END)
        readme.write_text(doc[:a] + "\n" + text + doc[b:], encoding="utf-8")


if __name__ == "__main__":
    main()
