"""Argument types and checks shared by the subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path

from eventstudy.exceptions import EventStudyError

__all__ = ["check_out_folder", "nonnegative_int"]


def nonnegative_int(text: str) -> int:
    """Parse an integer >= 0 (``--seed``, ``--retries``); a usage error otherwise.

    Parameters
    ----------
    text : str
        The argument.

    Returns
    -------
    int

    Raises
    ------
    argparse.ArgumentTypeError
        For anything else (argparse prints it and exits 2).
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def check_out_folder(out: Path) -> None:
    """Refuse an output folder that is a file or lies under a file.

    Called before any work, so that a wrong ``--out`` stops the run before
    the fit and nothing is written.

    Parameters
    ----------
    out : Path
        The output folder (need not exist).

    Raises
    ------
    EventStudyError
        Naming the file in the way.
    """
    for p in (out, *out.parents):
        if p.exists() and not p.is_dir():
            where = "is a file" if p == out else f"lies under the file {p}"
            raise EventStudyError(f"--out {out}: {where}; give a folder")
        if p.is_dir():
            break
