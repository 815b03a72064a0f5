from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eventstudy.catalog.extract import default_universe, extract_document
from eventstudy.catalog.extract.dates import find_dates
from eventstudy.catalog.extract.listings import find_companies
from eventstudy.catalog.extract.price_action import parse_price_action
from eventstudy.catalog.extract.sentences import split_document
from eventstudy.catalog.extract.types import find_types

SEED_DATES = {
    "000_5444e642be64ab11.txt": "2025-06-24",
    "001_1db36c08af5cdf47.txt": "2025-07-02",
    "002_72648d7cc0c2f894.txt": "2025-06-13",
    "004_3aecb83cac5027fd.txt": "2025-09-24",
}


@pytest.mark.parametrize(("seed", "expected"), sorted(SEED_DATES.items()))
def test_publication_date_from_prices(
    seed: str, expected: str, shared_dir: Path, prices_dir: Path
) -> None:
    result = extract_document(shared_dir / "seeds" / seed, prices_dir=prices_dir)
    assert result["published"] == expected
    assert result["published_source"] == "prices"
    (evidence,) = result["publication_evidence"]
    assert "also_matches" not in evidence


def test_undated_seed_stays_undated(shared_dir: Path, prices_dir: Path) -> None:
    result = extract_document(
        shared_dir / "seeds" / "003_978456623454a06f.txt", prices_dir=prices_dir
    )
    assert result["published"] is None
    assert result["publication_evidence"] == []


def test_implied_prior_close_matches_the_research() -> None:
    cases = {
        "BABA shares are trading higher by 1.78% to $115.10 premarket at last check Tuesday.": (
            113.09,
            1,
        ),
        "BABA shares are trading lower by 1.75% to $111.97 premarket at last check Wednesday.": (
            113.96,
            2,
        ),
        "BABA stock traded lower by 1.81% to $114.53 premarket at the last check Friday.": (
            116.64,
            4,
        ),
    }
    for sentence, (close, weekday) in cases.items():
        clue = parse_price_action(sentence, {})
        assert clue is not None
        assert clue.premarket
        assert clue.prior_close == pytest.approx(close, abs=0.005)
        assert clue.weekday == weekday


def test_move_without_price() -> None:
    clue = parse_price_action(
        "The announcement helped send Hong Kong-listed shares of the Chinese company up "
        "nearly 10% to a four-year high on Wednesday.",
        {"us": "BABA", "hk": "9988.HK"},
    )
    assert clue is not None
    assert (clue.ticker, clue.low, clue.high, clue.year_high, clue.weekday) == (
        "9988.HK",
        8.5,
        10.0,
        4,
        2,
    )
    assert parse_price_action(
        "Alibaba's U.S.-listed shares BABA also jumped nearly 10% in premarket trading.",
        {"us": "BABA"},
    ).premarket  # type: ignore[union-attr]


def test_relative_dates_against_publication(shared_dir: Path) -> None:
    published = dt.date(2025, 6, 13)
    cases = {
        "at the VivaTech trade show in Paris on Wednesday.": (
            "2025-06-11",
            "2025-06-11",
        ),
        "made its Qwen3 Embedding series available for developers last week.": (
            "2025-06-02",
            "2025-06-08",
        ),
        "In May, Alibaba showcased ZEROSEARCH technology": ("2025-05-01", "2025-05-31"),
        "launched its AI reasoning model in January before the Lunar New Year.": (
            "2025-01-01",
            "2025-01-31",
        ),
        "Last month, Alibaba reported strong quarterly results": (
            "2025-05-01",
            "2025-05-31",
        ),
        "Earlier this year, the company announced plans": ("2025-01-01", "2025-06-13"),
        "in December the firm": ("2024-12-01", "2024-12-31"),
        "It said last Friday": ("2025-06-06", "2025-06-06"),
        "released on June 5, 2025": ("2025-06-05", "2025-06-05"),
    }
    for sentence, (start, end) in cases.items():
        (ref,) = find_dates(sentence, published)
        assert (str(ref.start), str(ref.end)) == (start, end), sentence
    (ref,) = find_dates("on Wednesday", None)
    assert ref.start is None
    assert ref.relative


def _tickers(path: Path) -> dict[str, tuple[str, str]]:
    out = {}
    for c in find_companies(split_document(path.read_text()), default_universe()):
        for listing in c.written:
            out[listing.ticker] = (c.role, "+".join(c.how))
        out.setdefault(c.name, (c.role, "+".join(c.how)))
    return out


def test_tickers_and_types(shared_dir: Path) -> None:
    seeds = shared_dir / "seeds"
    tickers = _tickers(seeds / "004_3aecb83cac5027fd.txt")
    assert tickers["BABA"] == ("main", "after name")
    assert tickers["NVDA"][0] == "other"
    tickers = _tickers(seeds / "001_1db36c08af5cdf47.txt")
    assert tickers["BABA"][1].startswith("exchange prefix")
    assert tickers["MSFT"] == ("other", "exchange prefix")
    assert find_types("a partnership with Nvidia")[0][0] == "partnership"
    assert find_types("at its annual Apsara Conference")[0][0] == "conference"
    assert find_types("reported strong quarterly results")[0][0] == "earnings"
    assert (
        find_types("plans to open its first data centers in Brazil")[0][0]
        == "expansion"
    )
    assert (
        find_types("committed 380 billion yuan to AI infrastructure")[0][0]
        == "investment"
    )
    assert (
        find_types("The company released the Qwen3 model in April.")[0][0] == "product"
    )


def test_candidates_with_published(shared_dir: Path) -> None:
    result = extract_document(
        shared_dir / "seeds" / "002_72648d7cc0c2f894.txt",
        published=dt.date(2025, 6, 13),
    )
    assert result["published_source"] == "--published"
    first = result["candidates"][
        0
    ]  # the headline, dated by the VivaTech sentence (E11)
    assert (first["announced"], first["listings"]) == (
        "2025-06-11",
        ["BABA", "9988.HK"],
    )
    assert "conference" in first["evidence"]["also"]
    embedding = [
        c
        for c in result["candidates"]
        if c.get("announced_range") == ["2025-06-02", "2025-06-08"]
    ]
    assert embedding
    assert embedding[0]["type"] == "product"
    for candidate in result["candidates"]:
        assert candidate["sources"] == {"seeds": ["002_72648d7cc0c2f894.txt"]}
        assert {"type", "announced", "listings"} <= set(candidate["evidence"])
        sentence_start = candidate["title"][:40]
        assert sentence_start in candidate["evidence"]["type"]
        assert sentence_start in candidate["evidence"]["announced"]
