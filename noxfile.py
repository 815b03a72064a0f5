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
    """Speed at scale (issues 7, 18, 21) -> benchmarks/README.md.

    The engine at 10k, 100k and 1M events, then the whole ``eventstudy run``
    at 5k and 50k events (``benchmarks/bench_e2e.py``).

    Pass sizes to override, e.g. ``nox -s bench -- 10000 100000``.
    """
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/bench_scale.py", "--write", *session.posargs)
    # the whole run against read_csv + the engine (issue 21): 5k and 50k events
    session.run("python", "benchmarks/bench_e2e.py", "--write")
    session.run("python", "benchmarks/bench_bhar.py", "100000")
    session.run("python", "benchmarks/bench_explain.py")
    session.run("python", "benchmarks/bench_dask.py", "--write")
    # the batched GARCH(1,1) fit against a per-event arch loop (issue 18)
    session.run("python", "benchmarks/bench_garch.py", "1000", "10000")


@nox.session(default=False)
def report(session: nox.Session) -> None:
    """Render report.html of the Alibaba study in headless Chromium, save screenshots.

    Installs Debian's ``chromium`` with apt-get when it is missing (needs
    root; CI does not run this session). Writes ``out/report-check/`` (the
    run) and ``out/report-check/screenshots/{top,full}.png``.
    """
    import shutil
    from pathlib import Path

    session.install("-e", ".[test]")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        session.run("apt-get", "update", external=True)
        session.run("apt-get", "install", "-y", "chromium", external=True)
        browser = "chromium"
    out = Path("out/report-check")
    session.run(
        "eventstudy",
        "run",
        "events/studies/alibaba_ai_2025.yaml",
        "--prices",
        "../shared/data/prices",
        "--out",
        str(out),
    )
    shots = out / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page = (out / "report.html").resolve().as_uri()
    for name, size in (("top", "1400,1000"), ("full", "1400,12000")):
        session.run(
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--window-size={size}",
            f"--screenshot={(shots / f'{name}.png').resolve()}",
            page,
            external=True,
        )
