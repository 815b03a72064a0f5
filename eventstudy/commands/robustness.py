"""``eventstudy robustness STUDY.yaml --grid GRID.yaml``: a specification curve.

The grid file is YAML with any of the keys ``model``, ``benchmark``,
``estimation_window``, ``car_window`` and ``day0``, each a list of choices::

    model: [market, constant_mean, market_adjusted]
    estimation_window: [[-250, -11], [-120, -11]]
    car_window: [[0, 0], [-1, 1], [0, 1]]
    day0: [rule, next_session]
    benchmark:                      # one benchmark for all, or per listing
      - {BABA: SPY, 9988.HK: ^HSI, NVDA: SPY}
      - SPY

It writes ``specification_curve.csv`` and ``specification_curve.png`` to
``--out`` and prints the share of specifications with p < 0.05.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from eventstudy._atomic import atomic_write_text
from eventstudy.exceptions import StudyFileError

_KEYS = ("model", "benchmark", "estimation_window", "car_window", "day0")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``robustness`` subcommand."""
    p = sub.add_parser(
        "robustness",
        help="run a specification curve over a grid of choices",
        description="Run the study once per combination of the grid's choices "
        "(model, benchmark, estimation window, CAR window, day-0 rule) and write "
        "specification_curve.csv and .png (Simonsohn, Simmons and Nelson 2020).",
    )
    p.add_argument("study", metavar="STUDY.yaml", type=Path, help="the study file")
    p.add_argument(
        "--grid", type=Path, required=True, metavar="GRID.yaml", help="the choices"
    )
    p.add_argument("--out", type=Path, default=None, help="output folder")
    p.add_argument("--prices", type=Path, default=None, metavar="DIR")
    p.add_argument("--offline", action="store_true")
    p.add_argument("--cache-dir", type=Path, default=None, metavar="DIR")
    p.add_argument(
        "--test", default="csect_t", help="test of the p-values (default csect_t)"
    )
    p.set_defaults(func=run)


def read_grid(path: Path) -> dict[str, list[Any]]:
    """Read and check a grid file; errors name the file and line."""
    from eventstudy.catalog.yaml_lines import YamlSyntaxError, read_yaml

    if not path.is_file():
        raise StudyFileError(f"{path}: not a file (the grid of choices, YAML)")
    try:
        doc = read_yaml(path)
    except UnicodeDecodeError as exc:
        raise StudyFileError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except YamlSyntaxError as exc:
        raise StudyFileError(f"{path}:{exc.line}: {exc}") from exc
    if not isinstance(doc, dict) or not doc:
        raise StudyFileError(
            f"{path}: a mapping of choices is expected ({', '.join(_KEYS)})"
        )
    grid: dict[str, list[Any]] = {}
    for key, values in doc.items():
        line = doc.line_of(key) if hasattr(doc, "line_of") else 0
        if key not in _KEYS:
            raise StudyFileError(
                f"{path}:{line}: {key}: unknown choice (allowed: {', '.join(_KEYS)})"
            )
        if not isinstance(values, list) or not values:
            raise StudyFileError(f"{path}:{line}: {key}: a non-empty list is expected")
        if key in ("estimation_window", "car_window"):
            for v in values:
                if not (
                    isinstance(v, list)
                    and len(v) == 2
                    and all(isinstance(x, int) and not isinstance(x, bool) for x in v)
                    and v[0] <= v[1]
                ):
                    raise StudyFileError(
                        f"{path}:{line}: {key}: each choice is [first, last] "
                        f"relative days, got {v!r}"
                    )
            values = [(int(v[0]), int(v[1])) for v in values]
        if key == "benchmark":
            values = [dict(v) if isinstance(v, dict) else str(v) for v in values]
        if key in ("model", "day0"):
            values = [str(v) for v in values]
        grid[str(key)] = values
    return grid


def run(args: argparse.Namespace) -> int:
    """Run the specification curve and write its outputs."""
    from eventstudy.explain.specification import (
        plot_specification_curve,
        specification_curve,
    )
    from eventstudy.study import run_study

    grid = read_grid(args.grid)
    study = run_study(
        args.study,
        prices_dir=args.prices,
        offline=args.offline,
        cache_dir=args.cache_dir,
    )
    try:
        curve = specification_curve(study.results, grid, test=args.test)
    except (ValueError, KeyError) as exc:  # a choice the study cannot run
        msg = exc.args[0] if exc.args else exc
        raise StudyFileError(f"{args.grid}: {msg}") from exc
    out = args.out or Path("out") / f"{study.spec.name}-robustness"
    if out.exists() and not out.is_dir():
        raise StudyFileError(f"--out {out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "specification_curve.csv", curve.to_csv(index=False))
    fig = plot_specification_curve(curve)
    fig.savefig(out / "specification_curve.png", dpi=120)
    share = float((curve["p_value"] < 0.05).mean()) if len(curve) else float("nan")
    lo, hi = curve["caar"].min() * 100, curve["caar"].max() * 100
    print(
        f"{len(curve)} specifications: CAAR from {lo:.2f}% to {hi:.2f}%, "
        f"p < 0.05 in {share:.0%} ({args.test}, {curve['unit'].iloc[0]} unit)"
    )
    print(f"wrote {out}/specification_curve.csv and .png")
    return 0
