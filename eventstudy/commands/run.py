"""``eventstudy run STUDY.yaml``: the main job, a study file to an output folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.commands._args import check_out_folder
from eventstudy.exceptions import StudyFileError
from eventstudy.study import headline_unit, run_study, write_study
from eventstudy.study_file import StudySpec, load_study
from eventstudy.study_measures import measure_lines

#: Tests shown in the closing summary (parametric, correlation-robust, rank).
HEADLINE_TESTS = ("csect_t", "bmp", "kp_bmp", "corrado_rank", "generalized_sign")
#: Events whose CARs the terminal summary lists (car.csv has every one): a
#: table of 50,000 rows took longer to format than the study's tests.
SUMMARY_EVENTS = 250


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` subcommand."""
    p = sub.add_parser(
        "run",
        help="run a study file and write its output folder",
        description="Load the study's catalog and prices, fit every event, run the "
        "CAAR tests and write tables, figures and report.html to --out. The "
        "study file's keys are documented in docs/study.md; 'eventstudy study "
        "validate STUDY.yaml' checks one without running it.",
    )
    p.add_argument("study", metavar="STUDY.yaml", type=Path, help="the study file")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: out/<study name>)",
    )
    p.add_argument(
        "--prices",
        type=Path,
        default=None,
        metavar="DIR",
        help="read DIR/TICKER.csv (date, adj_close or close) instead of Yahoo",
    )
    p.add_argument(
        "--offline", action="store_true", help="read the local price store only"
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="local price store folder",
    )
    p.add_argument(
        "--no-timestamp",
        action="store_true",
        help="leave created_at out of manifest.json (for checked-in, reproducible results)",
    )
    p.add_argument(
        "--no-figures",
        action="store_true",
        help="write tables only (no figures/ and report.html)",
    )
    p.add_argument(
        "--excel",
        action="store_true",
        help="also write results.xlsx, a sheet per output table "
        "(needs: pip install 'eventstudy[excel]')",
    )
    p.add_argument(
        "--dask",
        type=_dask_spec,
        default=None,
        metavar="local:N | tcp://HOST:PORT",
        help="fit on a Dask cluster: N local worker processes or a running "
        "scheduler (needs eventstudy[dask]); the numbers are the same",
    )
    p.set_defaults(func=run)


def _dask_spec(value: str) -> str:
    from eventstudy.distributed._dask import check_spec

    try:
        return check_spec(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    """Run a study and print the one-screen summary."""
    spec = load_study(args.study)
    out = args.out or Path("out") / spec.name
    check_out_folder(out)  # before the work: a wrong --out writes nothing
    if args.prices is not None and not args.prices.is_dir():
        raise StudyFileError(
            f"--prices {args.prices}: not a folder of TICKER.csv files"
        )
    if args.excel:  # a missing extra is reported before the run, not after
        from eventstudy.report.excel import require_openpyxl

        require_openpyxl()
    if args.dask is None:
        return _run(args, spec, out, None)
    if spec.thin_trading != "off":  # before connecting and loading prices
        raise StudyFileError(
            f"{spec.path}: thin_trading: {spec.thin_trading} fits in memory only: "
            "run without --dask (or without thin_trading)"
        )
    from eventstudy.distributed import connect

    sys.stderr.write(f"[eventstudy] connecting to the Dask cluster {args.dask}\n")
    with connect(args.dask) as client:  # open until every output is written
        return _run(args, spec, out, client)


def _run(args: argparse.Namespace, spec: StudySpec, out: Path, client: Any) -> int:
    result = run_study(
        spec,
        prices_dir=args.prices,
        offline=args.offline,
        cache_dir=args.cache_dir,
        progress=True,
        client=client,
    )
    step = "tables" if args.no_figures else "tables, figures and report.html"
    sys.stderr.write(f"[eventstudy] writing {step} to {out}\n")
    written = write_study(
        result,
        out,
        timestamp=not args.no_timestamp,
        figures=not args.no_figures,
        excel=args.excel,
        dask=args.dask,
    )
    print(
        result.results.summary(
            windows=result.spec.car_windows, max_events=SUMMARY_EVENTS
        )
    )
    print()
    print(result.results.headline())
    print()
    print(headline(headline_unit(result.caar)))
    for line in measure_lines(result.measures):
        print(line)
    if not result.results.panel.n_events:
        sys.stderr.write(
            "[eventstudy] warning: no event could be estimated; see skipped.csv\n"
        )
    where = "" if args.no_figures else f" (open {out / 'report.html'})"
    print(f"\nwrote {len(written)} files to {out}{where}")
    return 0


def headline(caar: pd.DataFrame, tests: tuple[str, ...] = HEADLINE_TESTS) -> str:
    """CAAR of all events per window with a few tests' p-values, as text.

    Parameters
    ----------
    caar : DataFrame
        The CAAR test table of the run.
    tests : tuple of str
        Tests shown (those present in the table).

    Returns
    -------
    str
    """
    sub = caar[caar["group"].astype(str) == "all"]
    shown = [t for t in tests if t in set(sub["test"])]
    if not len(sub):
        return "CAAR: no tests were run."
    if not shown:
        return "CAAR: the tests run are in caar.csv and caar_table.md."
    wide = sub.pivot_table(
        index="window", columns="test", values="p_value", sort=False, dropna=False
    )[shown]
    level = sub.drop_duplicates("window").set_index("window")[["n", "caar"]]
    table = level.join(wide.add_prefix("p "))
    return (
        "CAAR over all events"
        + (" at the issuer unit" if "unit" in caar.columns else "")
        + " (unadjusted p-values of "
        + ", ".join(shown)
        + "; adjusted ones and every test in caar.csv)\n"
        + table.to_string(float_format=lambda v: f"{v:.4f}")
    )
