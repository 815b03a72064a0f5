"""``eventstudy events validate|extract``: check a catalog, propose entries."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from eventstudy.catalog.validation import CatalogValidationError, read_catalog
from eventstudy.catalog.yaml_lines import YamlSyntaxError, load_yaml
from eventstudy.commands import edgar as edgar_commands
from eventstudy.commands.extract import add_extract_arguments, run_extract
from eventstudy.exceptions import CatalogError

__all__ = ["register"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def register(subparsers: Any) -> None:
    """Add the ``events`` command and its ``validate`` and ``extract`` verbs.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The top-level subparsers.
    """
    events = subparsers.add_parser(
        "events", help="check an events catalog or propose entries from documents"
    )
    verbs = events.add_subparsers(dest="events_command", metavar="VERB")
    events.set_defaults(func=lambda _args: _usage(events))

    validate = verbs.add_parser(
        "validate", help="validate a catalog; exit 1 with file:line messages"
    )
    validate.add_argument("file", type=Path, help="catalog YAML file")
    validate.set_defaults(func=_validate)

    extract = verbs.add_parser(
        "extract",
        help="candidate events from news documents (YAML, an events table or a catalog)",
    )
    add_extract_arguments(extract)
    extract.set_defaults(func=run_extract)
    edgar_commands.register_verbs(verbs)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _validate(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        what = "a folder, not a catalog file" if path.is_dir() else "no such file"
        raise CatalogError(f"{path}: {what}")
    _refuse_study_file(path)
    try:
        catalog = read_catalog(path)
    except CatalogValidationError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        n = len(exc.issues)
        print(
            f"eventstudy: error: {path}: {n} problem{'s' * (n != 1)}", file=sys.stderr
        )
        return 1
    n_rows = sum(len(e.listings) for e in catalog)
    print(
        f"{path}: OK: {len(catalog)} events, {len(catalog.listings)} listings, "
        f"{n_rows} (event, listing) pairs"
    )
    return 0


def _refuse_study_file(path: Path) -> None:
    """Raise when ``path`` is a study file: it names the right command."""
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except (YamlSyntaxError, UnicodeDecodeError):
        return  # read_catalog reports it
    study_like = isinstance(doc, dict) and "listings" in doc and "prices" in doc
    if study_like and not isinstance(doc.get("events"), list):
        raise CatalogError(
            f"{path}: this is a study file, not an events catalog: check it with "
            f"'eventstudy study validate {path}' (docs/study.md)"
        )
