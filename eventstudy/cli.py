"""The ``eventstudy`` command line.

Each subcommand lives in a module of :mod:`eventstudy.commands` that exposes
``register(subparsers)``; this module only wires them together, turns package
errors into one-line messages on stderr and returns the exit code:
0 on success, 1 on user error, 2 on usage error (argparse).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

from eventstudy import __version__
from eventstudy.exceptions import EventStudyError, EventStudyWarning

#: Modules of :mod:`eventstudy.commands`, each adding one or more subcommands.
COMMAND_MODULES: tuple[str, ...] = (
    "run",
    "study",
    "demo",
    "fetch",
    "cache",
    "events",
    "listings",
    "robustness",
)


def os_error_message(exc: OSError) -> str:
    """One line for an operating-system error: the path, what failed, a hint.

    Parameters
    ----------
    exc : OSError
        The error.

    Returns
    -------
    str

    Examples
    --------
    >>> os_error_message(IsADirectoryError(21, "Is a directory", "out"))
    'out: Is a directory (a folder where a file was expected)'
    """
    hints = {
        errno.EISDIR: "a folder where a file was expected",
        errno.ENOTDIR: "a file where a folder was expected",
        errno.ENOSPC: "the disk is full; nothing was half-written",
        errno.EACCES: "no permission",
        errno.EROFS: "a read-only file system",
        errno.EEXIST: "it already exists",
        errno.ENAMETOOLONG: "the name is too long for a file name",
    }
    where = f"{exc.filename}: " if exc.filename is not None else ""
    what = exc.strerror or str(exc) or type(exc).__name__
    hint = hints.get(exc.errno or 0)
    return f"{where}{what}" + (f" ({hint})" if hint else "")


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Print a package warning as one line on stderr (no source location)."""
    if issubclass(category, EventStudyWarning):
        print(f"eventstudy: warning: {message}", file=sys.stderr)
    else:
        print(
            warnings.formatwarning(message, category, filename, lineno, line),
            file=sys.stderr,
            end="",
        )


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered subcommand.

    Returns
    -------
    argparse.ArgumentParser
        The top-level parser.
    """
    parser = argparse.ArgumentParser(
        prog="eventstudy",
        description="Announcement-driven event studies: catalogs, abnormal "
        "returns, CARs, CAARs and significance tests.",
    )
    parser.add_argument(
        "--version", action="version", version=f"eventstudy {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"eventstudy.commands.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when omitted.

    Returns
    -------
    int
        The exit code.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", EventStudyWarning)  # shown, never raised
            warnings.showwarning = _show_warning
            code = func(args)
    except EventStudyError as exc:
        print(f"eventstudy: error: {exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"eventstudy: error: file not found: {exc.filename}", file=sys.stderr)
        return 1
    except OSError as exc:  # a folder for a file, a full disk, no permission
        print(f"eventstudy: error: {os_error_message(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("eventstudy: interrupted", file=sys.stderr)
        return 130
    return int(code or 0)
