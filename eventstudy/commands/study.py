"""``eventstudy study validate STUDY.yaml``: check a study file without running it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from eventstudy.study_check import check_study

__all__ = ["register"]

#: Where the study-file schema is documented (shown by ``--help``).
SCHEMA_DOC = "docs/study.md"


def register(subparsers: Any) -> None:
    """Add the ``study`` command and its ``validate`` verb.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The top-level subparsers.
    """
    study = subparsers.add_parser(
        "study",
        help="check a study file",
        description=f"Study files are documented in {SCHEMA_DOC}.",
    )
    verbs = study.add_subparsers(dest="study_command", metavar="VERB")
    study.set_defaults(func=lambda _args: _usage(study))
    validate = verbs.add_parser(
        "validate",
        help="validate a study file, its catalog and (with --prices) its data",
        description="Check a study file without running it: every field, the "
        "catalog or events table it names and, with --prices, that every "
        "listing and benchmark has prices covering the estimation and event "
        "windows of every event. Prints every problem as file:line: field: "
        f"message and exits 1, or exits 0. The schema: {SCHEMA_DOC}.",
    )
    validate.add_argument(
        "study", metavar="STUDY.yaml", type=Path, help="the study file"
    )
    validate.add_argument(
        "--prices",
        type=Path,
        default=None,
        metavar="DIR",
        help="also check DIR/TICKER.csv of every listing and benchmark",
    )
    validate.set_defaults(func=_validate)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _validate(args: argparse.Namespace) -> int:
    problems = check_study(args.study, args.prices)
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        n = len(problems)
        print(
            f"eventstudy: error: {args.study}: {n} problem{'s' * (n != 1)}",
            file=sys.stderr,
        )
        return 1
    checked = " and its prices" if args.prices is not None else ""
    print(f"{args.study}: OK: the study{checked}")
    return 0
