"""Subcommands of the ``eventstudy`` command line, one module per verb."""

from __future__ import annotations
