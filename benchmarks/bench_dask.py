"""The Dask path (issue 20): overhead, a panel larger than a worker, reduction cost.

Run from the project root: ``python benchmarks/bench_dask.py [--write]`` (part of
``nox -s bench``), or one part: ``--part a|b|c``. Every cluster is a
``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` on this
machine; the local engine runs in a subprocess of its own.

(a) Overhead: the panel of ``bench_scale.py`` (2,000 listings x 2,600 days,
    market model) with ``--events`` events (default 1,000,000): ``fit()``,
    ``cars()`` and the parametric ``caar`` battery for the six default windows,
    locally and with ``fit(client=...)``; the results must agree to 1e-12.
(b) A panel too large for one worker: ``--listings`` x ``--days`` (default
    20,000 x 5,000) in a folder of Parquet files (the store's layout), 5
    events per listing, ``EventStudy.from_parquet(...).fit(client=...,
    persist=False)`` and the parametric battery of one window on workers with
    ``memory_limit=--limit`` (default 1 GiB); the peak RSS of each worker
    against the limit, and the local engine's peak RSS for the same study.
(c) Reduction cost: 200,000 events of (a)'s panel with 2 to 128 blocks: fit,
    the residual-sum reduction (crude dependence and Kolari-Pynnönen r̄) and
    the estimation-window pass (rank, sign, GRANK); and ``tree_sum`` alone
    over 2 to 1,024 results of shape (240, 4).

The machine is shared: timings are noisy and informational only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
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
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_scale  # noqa: E402

import eventstudy as es  # noqa: E402

README = ROOT / "benchmarks" / "README.md"
MARK_BEGIN = "<!-- bench-dask:begin -->"
MARK_END = "<!-- bench-dask:end -->"
PAPER_BEGIN = "<!-- bench-dask-paper:begin -->"
PAPER_END = "<!-- bench-dask-paper:end -->"
DATA_BEGIN = "<!-- bench-dask-data "
DATA_END = " -->"
PARAMETRIC = bench_scale.PARAMETRIC
WINDOWS = [(0, 0), (-1, 1), (0, 1), (-2, 2), (-5, 5), (-10, 10)]


def _cluster(memory_limit: str | None = None) -> Any:
    from distributed import Client, LocalCluster

    kw: dict[str, Any] = {}
    if memory_limit:
        kw["memory_limit"] = memory_limit
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        **kw,
    )
    return cluster, Client(cluster)


def _battery(res: es.EventStudyResults, windows: list[tuple[int, int]]) -> list[Any]:
    res.cars()
    return [res.caar(a, b, tests=PARAMETRIC) for a, b in windows]


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _vm_hwm_gib() -> float:
    """Peak RSS of this process since it started (VmHWM, Linux).

    Not ``ru_maxrss``: a spawned worker inherits its parent's maximum across
    exec, so it would report at least the driver's RSS at spawn time.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


# ------------------------------------------------------------------ part (a)
def part_a_local(n: int) -> dict[str, Any]:
    returns = bench_scale.make_panel()
    events = bench_scale.make_events(returns, n)
    t0 = time.perf_counter()
    res = es.EventStudy(returns, events, benchmark="MKT").fit()
    t1 = time.perf_counter()
    tabs = _battery(res, WINDOWS)
    t2 = time.perf_counter()
    out = Path(tempfile.gettempdir()) / f"bench_dask_local_{n}.pkl"
    pd.to_pickle(
        {"params": res.parameters[["alpha", "beta", "sigma"]], "caar": tabs}, out
    )
    return {"fit": t1 - t0, "tests": t2 - t1, "rss": _peak_gib(), "pickle": str(out)}


def part_a(n: int) -> dict[str, Any]:
    load0 = os.getloadavg()[0]
    local = _subprocess(["--local-a", str(n)])
    returns = bench_scale.make_panel()
    events = bench_scale.make_events(returns, n)
    study = es.EventStudy(returns, events, benchmark="MKT")
    t0 = time.perf_counter()
    cluster, client = _cluster()
    t_up = time.perf_counter() - t0
    try:
        client.run(lambda: __import__("eventstudy.distributed.blocks"))  # imports
        t0 = time.perf_counter()
        res = study.fit(client=client)
        t1 = time.perf_counter()
        tabs = _battery(res, WINDOWS)
        t2 = time.perf_counter()
        blocks = len(res.panel.pass_runner.__self__.rows)  # type: ignore[union-attr]
    finally:
        client.close()
        cluster.close()
    ref = pd.read_pickle(local["pickle"])
    diff = float(
        (res.parameters[["alpha", "beta", "sigma"]] - ref["params"]).abs().max().max()
    )
    for a, b in zip(ref["caar"], tabs, strict=True):
        for col in ("caar", "statistic", "p_value"):
            d = (a[col].astype(float) - b[col].astype(float)).abs().max()
            diff = max(diff, float(np.nan_to_num(d)))
    dist = (t1 - t0) + (t2 - t1)
    base = local["fit"] + local["tests"]
    return {
        "part": "a",
        "events": n,
        "blocks": blocks,
        "local_fit": local["fit"],
        "local_tests": local["tests"],
        "dask_fit": t1 - t0,
        "dask_tests": t2 - t1,
        "ratio": dist / base,
        "startup": t_up,
        "local_rss": local["rss"],
        "driver_rss": _peak_gib(),
        "max_diff": diff,
        "load": [load0, os.getloadavg()[0]],
    }


# ------------------------------------------------------------------ part (b)
def write_store(root: Path, n_list: int, n_days: int, seed: int = 5) -> pd.DataFrame:
    """Prices of ``n_list`` listings and ``MKT`` as TICKER.parquet; the events."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2000-01-03", periods=n_days)
    mkt = rng.normal(0.0003, 0.01, n_days)
    root.mkdir(parents=True, exist_ok=True)

    def save(name: str, ret: np.ndarray) -> None:
        px = 100 * np.exp(np.cumsum(np.log1p(ret)))
        pd.DataFrame(
            {"adj_close": px}, index=pd.DatetimeIndex(dates, name="date")
        ).to_parquet(root / f"{name}.parquet")

    save("MKT", mkt)
    per = 5
    rows = []
    for j in range(n_list):  # one listing at a time: the writer stays small
        beta, sd = rng.uniform(0.5, 1.5), rng.uniform(0.01, 0.03)
        save(f"S{j:05d}", mkt * beta + rng.standard_normal(n_days) * sd)
        day = rng.integers(300, n_days - 20, per)
        rows.append((j, day))
    tick = np.repeat([f"S{j:05d}" for j in range(n_list)], per)
    day = np.concatenate([d for _, d in rows])
    return pd.DataFrame(
        {
            "event_id": [f"E{i:07d}" for i in range(tick.size)],
            "ticker": tick,
            "date": dates[day],
        }
    )


def part_b_local(root: str, events_path: str) -> dict[str, Any]:
    events = pd.read_parquet(events_path)
    t0 = time.perf_counter()
    res = es.EventStudy.from_parquet(root, events, benchmark="MKT").fit()
    res.caar(-1, 1, tests=PARAMETRIC)
    return {"time": time.perf_counter() - t0, "rss": _peak_gib()}


def part_b(n_list: int, n_days: int, limit: str) -> dict[str, Any]:
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_dask_") as tmp:
        root = Path(tmp) / "store"
        t0 = time.perf_counter()
        events = write_store(root, n_list, n_days)
        t_write = time.perf_counter() - t0
        ev_path = Path(tmp) / "events.parquet"
        events.to_parquet(ev_path)
        cluster, client = _cluster(limit)
        try:
            pids = client.run(os.getpid)  # a worker over its limit is restarted
            t0 = time.perf_counter()
            res = es.EventStudy.from_parquet(root, events, benchmark="MKT").fit(
                client=client, persist=False
            )
            tab = res.caar(-1, 1, tests=PARAMETRIC)
            t_dask = time.perf_counter() - t0
            worker_rss = client.run(_vm_hwm_gib)
            restarted = pids != client.run(os.getpid)
            blocks = len(res.panel.pass_runner.__self__.rows)  # type: ignore[union-attr]
            n_est = res.panel.n_events
        finally:
            client.close()
            cluster.close()
        local = _subprocess(["--local-b", str(root), str(ev_path)])
    return {
        "part": "b",
        "listings": n_list,
        "days": n_days,
        "events": len(events),
        "estimated": n_est,
        "blocks": blocks,
        "limit": limit,
        "write_s": t_write,
        "dask_s": t_dask,
        "worker_peak_gib": sorted(worker_rss.values()),
        "worker_restarted": restarted,
        "driver_rss": _peak_gib(),
        "local_s": local["time"],
        "local_rss": local["rss"],
        "kp_bmp_p": float(tab.loc[tab["test"] == "kp_bmp", "p_value"].iloc[0]),
        "load": [load0, os.getloadavg()[0]],
    }


# ------------------------------------------------------------------ part (c)
def part_c(n: int, block_counts: list[int]) -> list[dict[str, Any]]:
    from eventstudy.distributed import tree_sum

    returns = bench_scale.make_panel()
    events = bench_scale.make_events(returns, n)
    study = es.EventStudy(returns, events, benchmark="MKT")
    rows = []
    cluster, client = _cluster()
    try:
        client.run(lambda: __import__("eventstudy.distributed.blocks"))
        for b in block_counts:
            t0 = time.perf_counter()
            res = study.fit(client=client, partitions=b)
            t1 = time.perf_counter()
            res.caar(-1, 1, tests=["crude_dependence", "kp_patell"], kp_max_pairwise=10)
            t2 = time.perf_counter()
            res.caar(-1, 1, tests=["corrado_rank", "generalized_sign", "grank"])
            t3 = time.perf_counter()
            rows.append(
                {
                    "part": "c",
                    "events": n,
                    "blocks": b,
                    "fit": t1 - t0,
                    "residual_sums": t2 - t1,
                    "est_pass": t3 - t2,
                }
            )
            del res
        for b in (2, 16, 128, 1024):
            parts = client.scatter([np.ones((240, 4)) for _ in range(b)])
            t0 = time.perf_counter()
            tree_sum(client, parts)
            rows.append(
                {"part": "c-tree", "blocks": b, "tree_sum": time.perf_counter() - t0}
            )
    finally:
        client.close()
        cluster.close()
    return rows


# ------------------------------------------------------------------ driver
def _subprocess(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def tables(rows: list[dict[str, Any]]) -> str:
    lines = []
    for r in rows:
        if r["part"] == "a":
            lines += [
                "(a) overhead, market model, `cars()` and the parametric battery on 6 windows:",
                "",
                "| events | blocks | local fit / tests (s) | dask fit / tests (s) | dask / local | cluster start (s) | local peak RSS (GiB) | driver peak RSS (GiB) | max abs diff | load average |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                f"| {r['events']:,} | {r['blocks']} | {r['local_fit']:.2f} / {r['local_tests']:.2f} "
                f"| {r['dask_fit']:.2f} / {r['dask_tests']:.2f} | {r['ratio']:.2f}x "
                f"| {r['startup']:.1f} | {r['local_rss']:.2f} | {r['driver_rss']:.2f} "
                f"| {r['max_diff']:.1e} | {_load(r)} |",
                "",
            ]
        if r["part"] == "b":
            lines += [
                "(b) a panel larger than a worker's memory limit (Parquet files, persist=False):",
                "",
                "| listings x days | events | blocks | worker memory_limit | worker peak RSS, VmHWM (GiB) | worker restarted | dask fit + battery (s) | local peak RSS (GiB) | local (s) | files written (s) | load average |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                f"| {r['listings']:,} x {r['days']:,} | {r['events']:,} | {r['blocks']} "
                f"| {r['limit']} | {', '.join(f'{v:.2f}' for v in r['worker_peak_gib'])} "
                f"| {'yes' if r.get('worker_restarted') else 'no'} | {r['dask_s']:.1f} | {r['local_rss']:.2f} | {r['local_s']:.1f} "
                f"| {r['write_s']:.0f} | {_load(r)} |",
                "",
            ]
    cs = [r for r in rows if r["part"] == "c"]
    if cs:
        lines += [
            f"(c) reduction cost, {cs[0]['events']:,} events:",
            "",
            "| blocks | fit (s) | residual-sum reduction: crude dependence + KP r̄ (s) | estimation pass: Corrado, generalized sign, GRANK (s) |",
            "|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {r['blocks']} | {r['fit']:.2f} | {r['residual_sums']:.2f} | {r['est_pass']:.2f} |"
            for r in cs
        ]
        lines.append("")
    ts = [r for r in rows if r["part"] == "c-tree"]
    if ts:
        lines += [
            "`tree_sum` alone (fan-in 4) of (240, 4) arrays:",
            "",
            "| results | tasks | time (s) |",
            "|---:|---:|---:|",
        ]
        lines += [
            f"| {r['blocks']:,} | {tree_tasks(r['blocks']):,} | {r['tree_sum']:.3f} |"
            for r in ts
        ]
        lines.append("")
    env = next((r for r in rows if r["part"] == "env"), None)
    if env:
        lines.append(env["text"])
    return "\n".join(lines)


def _load(r: dict[str, Any]) -> str:
    load = r.get("load")
    return "-" if load is None else f"{load[0]:.1f} - {load[1]:.1f}"


def tree_tasks(b: int, fan_in: int = 4) -> int:
    """Tasks of :func:`~eventstudy.distributed.tree_sum` over ``b`` results."""
    n = 0
    while b > 1:
        b = -(-b // fan_in)
        n += b
    return n


#: The cluster of the paper estimate: 100 nodes of 16 single-threaded workers.
PAPER_WORKERS = 1_600
PAPER_EVENTS = 100_000_000


def paper(rows: list[dict[str, Any]]) -> str:
    """The 100-node, 100M-event estimate, from the measured rows (a) and (c).

    Every number scales a measured one linearly (per event or per task);
    nothing is assumed about the cluster beyond its size, so the figures are
    upper bounds of the same kind as the measurements (a loaded 2-CPU
    machine, the scheduler and driver sharing it).
    """
    a = next((r for r in rows if r["part"] == "a"), None)
    ts = [r for r in rows if r["part"] == "c-tree"]
    if a is None or not ts:
        return "(needs parts (a) and (c))"
    from eventstudy.distributed.fit import _EVENTS_PER_BLOCK

    n, w = PAPER_EVENTS, PAPER_WORKERS
    blocks = max(2 * w, -(-n // _EVENTS_PER_BLOCK))
    # worker-seconds per event of the fit (2 workers, transfer and assembly
    # on the driver included: an upper bound of the block work)
    fit_ws = a["dask_fit"] * 2 / a["events"]
    fit_wall = fit_ws * n / w
    big = max(ts, key=lambda r: r["blocks"])
    per_task = big["tree_sum"] / tree_tasks(big["blocks"])
    n_tasks = tree_tasks(blocks)
    depth = math.ceil(math.log(blocks, 4))
    tests_per_event = a["dask_tests"] / a["events"]
    rss_per_event = a["driver_rss"] / a["events"]
    lines = [
        f"Derived by `bench_dask.py` from the rows above ({a['events']:,} events in (a), "
        f"`tree_sum` of {big['blocks']:,} results in (c)); {PAPER_EVENTS // 10**6}M events of the "
        f"market model on {w:,} single-threaded workers (100 nodes x 16 cores):",
        "",
        f"* **Blocks and fits**: max(2 per worker, {_EVENTS_PER_BLOCK:,} events per block) = "
        f"{blocks:,} blocks of {n // blocks:,} events. (a)'s fit cost {fit_ws * 1e6:.1f} "
        f"worker-us per event (its dask fit time x 2 workers / events), so the fits take "
        f"about {fit_wall:.2g} s of wall time, plus reading each block's Parquet files. Blocks "
        f"are independent: this part scales with the workers. (a)'s fit time also holds the "
        f"transfer of the blocks' per-event results to the driver (about 0.3 KB per event, "
        f"{0.3e3 * n / 1e9:.0f} GB at {PAPER_EVENTS // 10**6}M events), which does not scale "
        f"with the workers: it runs at the driver's network rate.",
        f"* **Reduction**: each residual-sum reduction adds {blocks:,} arrays of 240 x 4 in "
        f"{depth} rounds, {n_tasks:,} tasks; at the {per_task * 1e3:.1f} ms per task of (c) "
        f"that is at most {n_tasks * per_task:.1f} s (the tasks of a round run in parallel; the "
        f"task count grows with B / 3, the depth with log4 B).",
        f"* **The driver**: (a)'s driver ran `cars()` and the battery on 6 windows in "
        f"{tests_per_event * 1e6:.1f} us per event (the CAR moments and residual sums computed "
        f"on the workers included) and peaked at {rss_per_event * 2**30 / 1e3:.1f} KB per event "
        f"(the returns panel, the events, the results and the {len(WINDOWS)}N-row `cars()` "
        f"table; no event x day array): "
        f"{tests_per_event * n / 60:.0f} min and {rss_per_event * n:.0f} GiB at "
        f"{PAPER_EVENTS // 10**6}M events. The driver's share does not shrink with more "
        f"workers: it is the limit, through the per-event results it holds "
        f"(`parameters`, `cars()`) rather than any event x day array.",
    ]
    return "\n".join(lines)


def env_text() -> dict[str, Any]:
    import dask
    import distributed

    return {
        "part": "env",
        "text": (
            f"Machine: {os.cpu_count()} CPUs (the load average during each run of (a) and (b) is in its row), Python "
            f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
            f"dask {dask.__version__}, distributed {distributed.__version__}."
        ),
    }


def merge_rows(
    old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The stored rows with the parts run now replaced (a partial run keeps the rest)."""

    def part(r: dict[str, Any]) -> str:
        return "c" if r["part"] == "c-tree" else str(r["part"])

    ran = {part(r) for r in new if r["part"] != "env"}
    kept = [r for r in old if part(r) not in ran and r["part"] != "env"]
    order = {"a": 0, "b": 1, "c": 2, "c-tree": 3, "env": 4}
    return sorted(kept + new, key=lambda r: order[r["part"]])


def _stored_rows(doc: str) -> list[dict[str, Any]]:
    if DATA_BEGIN not in doc:
        return []
    a = doc.index(DATA_BEGIN) + len(DATA_BEGIN)
    return list(json.loads(doc[a : doc.index(DATA_END, a)]))


def write_readme(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace the tables and the paper estimate in benchmarks/README.md.

    The measured rows are kept (as JSON in an HTML comment) next to the
    tables, so a run of some parts updates those and the estimate is always
    derived from the numbers shown.
    """
    doc = README.read_text(encoding="utf-8")
    merged = merge_rows(_stored_rows(doc), rows)
    body = (
        tables(merged)
        + "\n"
        + DATA_BEGIN
        + json.dumps(merged, separators=(",", ":"))
        + DATA_END
    )
    for begin, end, text in (
        (MARK_BEGIN, MARK_END, body),
        (PAPER_BEGIN, PAPER_END, paper(merged)),
    ):
        a, b = doc.index(begin), doc.index(end)
        doc = doc[: a + len(begin)] + "\n" + text + "\n" + doc[b:]
    README.write_text(doc, encoding="utf-8")
    return merged


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["a", "b", "c"], action="append")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--listings", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=5_000)
    ap.add_argument("--limit", default="1GiB")
    ap.add_argument("--c-events", type=int, default=200_000)
    ap.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    ap.add_argument("--local-a", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--local-b", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.local_a is not None:
        print(json.dumps(part_a_local(args.local_a)))
        return
    if args.local_b is not None:
        print(json.dumps(part_b_local(*args.local_b)))
        return
    parts = args.part or ["a", "b", "c"]
    rows: list[dict[str, Any]] = []
    if "a" in parts:
        rows.append(part_a(args.events))
        print(json.dumps(rows[-1]), flush=True)
    if "b" in parts:
        rows.append(part_b(args.listings, args.days, args.limit))
        print(json.dumps(rows[-1]), flush=True)
    if "c" in parts:
        rows += part_c(args.c_events, [2, 8, 32, 128])
        print(json.dumps(rows[-8:]), flush=True)
    rows.append(env_text())
    if args.write:
        rows = write_readme(rows)
    print(tables(rows))
    print(paper(rows))


if __name__ == "__main__":
    main()
