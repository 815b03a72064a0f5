"""Execute the research notebooks (they read ../shared/data/prices)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ["alibaba_ai_2025.ipynb"]
#: a result typed into prose: a decimal, a percentage, "p = 0..." or "n = 4"
TYPED_RESULT = re.compile(r"\d+\.\d+|\d\s?%|\b[pnN]\s*[=<>]\s*\d")


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes(name: str, prices_dir: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_prose_types_no_result(name: str) -> None:
    """Results in a notebook's text come from code cells, so they cannot go stale.

    The markdown cells hold methods and questions; every number and verdict
    is printed by the code cell that computes it. Outputs are not committed.
    """
    nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            hit = TYPED_RESULT.search(src)
            assert hit is None, f"{name} cell {i}: typed result {hit.group()!r}"
        elif cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{name} cell {i}: committed outputs"
            assert cell.get("execution_count") is None, f"{name} cell {i}"
