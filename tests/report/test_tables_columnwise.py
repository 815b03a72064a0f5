"""Tables built and rendered column by column (issue 21) against cell-by-cell code."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from eventstudy.report.tables import (
    _MD_ENTITY_RE,
    _MD_RE,
    Table,
    _num,
    car_table,
    latex_escape,
    one_line,
    stars,
)

PIECES = [
    "a", "[x](y)", "][", "&amp;", "&#12;", "& b", "*", "**", "1.2***", "3)**",
    "a*", "|", "\n", "\r\n\t", "\x00", "{}", "[-1,+1]", "<b>", "'\"", "_", "`",
    "\\", "~^%$#", "†", "\ue000", "é", "1.23", "n/a", "(0.50)†", "[1.0, 2.0]", "",
]  # fmt: skip


def _html(t: Table) -> list[str]:
    rules = set(t.rules)
    out = []
    for i, r in enumerate(t.rows):
        cls = ' class="es-rule"' if i in rules and i else ""
        cells = "".join(
            f'<td class="{"es-label" if j < t.n_label_columns else "es-num"}">'
            f"{html.escape(c)}</td>"
            for j, c in enumerate(r)
        )
        out.append(f"<tr{cls}>{cells}</tr>")
    return out


def _latex(t: Table) -> list[str]:
    rules = set(t.rules)
    out = []
    for i, r in enumerate(t.rows):
        if i in rules and i:
            out.append("\\midrule")
        k = t.n_label_columns
        out.append(
            " & ".join(latex_escape(c, stars=j >= k) for j, c in enumerate(r)) + " \\\\"
        )
    return out


def _markdown(t: Table) -> list[str]:
    def esc(s: str) -> str:
        return one_line(s).replace("|", "\\|")

    def esc_text(s: str) -> str:
        out = _MD_RE.sub(lambda m: "\\" + m.group(0), one_line(s))
        if "](" in out or "][" in out:
            out = out.replace("[", "\\[").replace("]", "\\]")
        return _MD_ENTITY_RE.sub("\\\\&", out)

    k = t.n_label_columns
    return [
        "| "
        + " | ".join(esc_text(c) if j < k else esc(c) for j, c in enumerate(r))
        + " |"
        for r in t.rows
    ]


def _body(text: str, ref: list[str]) -> bool:
    return "\n".join(ref) in text if ref else True


@pytest.mark.parametrize("seed", range(40))
def test_rendering_equals_cell_by_cell(seed: int) -> None:
    rng = np.random.default_rng(seed)

    def cell() -> str:
        return "".join(rng.choice(PIECES, rng.integers(0, 4)))

    nc = int(rng.integers(1, 6))
    nr = int(rng.integers(0, 40))
    rows = [[cell() for _ in range(nc)] for _ in range(nr)]
    rules = sorted(set(rng.integers(0, max(nr, 1), 5).tolist()))
    t = Table(
        "t",
        [f"h{j}" for j in range(nc)],
        rows,
        "n",
        int(rng.integers(0, nc + 1)),
        rules,
    )
    assert _body(t.to_html(), _html(t))
    assert _body(t.to_latex(), _latex(t))
    assert _body(t.to_markdown(), _markdown(t))


def _car_table_loop(cars: pd.DataFrame, labels: dict[str, str] | None) -> Table:
    """car_table's rows as the per-event loop built them (ticker, event, ndays)."""
    wins = list(dict.fromkeys(cars["window"].astype(str)))
    info: dict[str, tuple[str, str]] = {}
    cell: dict[tuple[str, str], tuple[float, float, float]] = {}
    short = set()
    for r in cars.itertuples(index=False):
        ev, w = str(r.event_id), str(r.window)
        info.setdefault(ev, (str(r.event), str(r.ticker)))
        a, b = w.strip("[]").split(",")
        if np.isfinite(r.ndays) and r.ndays < int(b) - int(a) + 1:
            short.add((ev, w))
        cell.setdefault((ev, w), (r.car, r.t, r.p_value))
    rows, rules, previous = [], [], None
    for ev, (default, ticker) in info.items():
        lab = labels.get(ev, default) if labels else default
        if lab != previous:
            rules.append(len(rows))
        top, bottom = [lab if lab != previous else "", ticker], ["", ""]
        previous = lab
        for w in wins:
            if (ev, w) not in cell:
                top.append("")
                bottom.append("")
                continue
            car, t, p = cell[(ev, w)]
            top.append(_num(car, 2, True) + stars(p))
            below = f"({t:.2f})" if np.isfinite(t) else ""
            bottom.append(below + ("†" if (ev, w) in short else ""))
        rows += [top, bottom]
    return Table("", [], rows, "", 2, rules)


def test_car_table_equals_the_event_loop() -> None:
    rng = np.random.default_rng(3)
    n_ev, wins = 60, ["[0,0]", "[-1,+1]", "[-5,+5]"]
    ev = np.repeat([f"e{i}" for i in range(n_ev)], len(wins))
    cars = pd.DataFrame(
        {
            "event_id": ev,
            "event": np.repeat([f"c{i // 3}" for i in range(n_ev)], len(wins)),
            "ticker": np.repeat(rng.choice(["AAA", "B&B"], n_ev), len(wins)),
            "window": np.tile(wins, n_ev),
            "car": rng.normal(0, 0.03, n_ev * len(wins)),
            "t": rng.normal(0, 2, n_ev * len(wins)),
            "p_value": rng.random(n_ev * len(wins)),
            "ndays": rng.choice([1.0, 3.0, 11.0, np.nan], n_ev * len(wins)),
        }
    )
    cars.loc[::7, "car"] = np.nan
    cars.loc[::5, "p_value"] = np.nan
    cars.loc[::11, "t"] = np.inf
    cars = cars.drop(index=[4, 5, 17]).sample(frac=1.0, random_state=2)
    cars = pd.concat([cars, cars.iloc[:10].assign(car=1.0)])  # first row wins
    labels = {f"e{i}": f"L{i // 4}" for i in range(0, n_ev, 2)}
    for lab in (None, labels):
        got = car_table(cars, labels=lab)
        ref = _car_table_loop(cars, lab)
        assert got.rows == ref.rows
        assert got.rules == ref.rules


def test_summary_lists_the_first_events_and_says_how_many_more() -> None:
    import eventstudy as es
    from tests.estimation.test_engine import synthetic_market

    market = synthetic_market()
    rng = np.random.default_rng(1)
    n = 40
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "ticker": rng.choice(["AAA", "BBB"], n),
            "date": market.index[rng.integers(300, 650, n)],
            "benchmark": "MKT",
        }
    )
    res = es.EventStudy(market, events).fit()
    full, cut = res.summary(), res.summary(max_events=5)
    assert str(res.summary(max_events=n)) == str(full)
    lines = str(cut).splitlines()
    shown = [
        ln.split()[0] for ln in lines if ln.split()[:1] in ([f"e{i}"] for i in range(n))
    ]
    assert shown == [f"e{i}" for i in range(5)]
    assert "... and 35 more events (the first 5 shown" in str(cut)
    # the settings above and the notes below the table are the full summary's
    full_lines = str(full).splitlines()
    assert lines[:6] == full_lines[:6]
    assert lines[-4:] == full_lines[-4:]
    assert len(cut.tables[0].rows) == 2 * 5
    assert cut.tables[0].rows == full.tables[0].rows[:10]
