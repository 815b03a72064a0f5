"""Development sessions: ``nox -s tests lint typecheck`` (and ``bench``, ``notebooks``)."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.default_venv_backend = "venv"


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-n", "2", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Strict mypy on the package."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(default=False)
def notebooks(session: nox.Session) -> None:
    """Execute the research notebooks (needs ../shared/data/prices)."""
    session.install("-e", ".[test]")
    session.run(
        "python", "-m", "pytest", "tests/test_notebooks.py", "-v", *session.posargs
    )


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Speed at scale (issue 7): 10k, 100k and 1M events -> benchmarks/README.md.

    Pass sizes to override, e.g. ``nox -s bench -- 10000 100000``.
    """
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/bench_scale.py", "--write", *session.posargs)
    session.run("python", "benchmarks/bench_bhar.py", "100000")
    session.run("python", "benchmarks/bench_explain.py")
