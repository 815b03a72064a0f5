"""join_by_group against pandas' groupby aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy._strings import join_by_group


@pytest.mark.parametrize("n", [0, 1, 7, 500])
def test_join_by_group_is_the_groupby_join(n: int) -> None:
    rng = np.random.default_rng(n)
    keys = rng.integers(-3, 40, n)
    values = [
        "".join(rng.choice(["a", "é", ";", ", ", "", "x (+1)"], 3)) for _ in range(n)
    ]
    k, parts = join_by_group(keys, values, ", ")
    ref = pd.Series(values, dtype=object).groupby(keys, sort=True).agg(", ".join)
    assert k.tolist() == ref.index.tolist()
    assert parts == ref.tolist()


def test_join_by_group_needs_one_key_per_value() -> None:
    with pytest.raises(ValueError, match="one key per value"):
        join_by_group(np.array([1, 2]), ["a"], ";")
