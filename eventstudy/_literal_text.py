"""Figures that draw user text literally (no matplotlib mathtext)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import matplotlib

__all__ = ["literal_text"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def literal_text(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Draw every text the plot creates literally (no mathtext).

    Event ids, group labels, titles, notes and grid choices are user text:
    with two ``$`` matplotlib parsed them as math, so ``"$1B-$5B"`` lost its
    dollars and ``"$x^$"`` made ``savefig`` raise. Texts read
    ``text.parse_math`` when they are created, so the setting holds for the
    figure's whole life.

    Parameters
    ----------
    func : callable
        A function that builds and returns a figure.

    Returns
    -------
    callable
        The same function, run with ``text.parse_math`` off.
    """

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with matplotlib.rc_context({"text.parse_math": False}):
            return func(*args, **kwargs)

    return wrapper
