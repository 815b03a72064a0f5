from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.catalog import EVENT_TYPES
from eventstudy.catalog.extract import classify, default_universe, universe_from_frame
from eventstudy.catalog.extract.listings import find_companies
from eventstudy.catalog.extract.names import find_names, normalize_name
from eventstudy.catalog.extract.sentences import split_document
from eventstudy.catalog.extract.symbols import find_symbols
from eventstudy.catalog.extract.types import TYPE_CUES

UNIVERSE = universe_from_frame(
    pd.DataFrame(
        {
            "ticker": [
                "FDX",
                "7203.T",
                "HLMA.L",
                "0700.HK",
                "TGT",
                "APLE",
                "AAPL",
                "SAP.DE",
                "SAP",
            ],
            "name": [
                "FedEx Corporation",
                "Toyota Motor Corp",
                "Halma plc",
                "Tencent Holdings Ltd",
                "Target Corporation",
                "Apple Hospitality REIT, Inc.",
                "Apple Inc.",
                "SAP SE",
                "SAP SE",
            ],
            "exchange": [
                "XNYS",
                "XTKS",
                "XLON",
                "XHKG",
                "XNYS",
                "XNYS",
                "XNAS",
                "XETR",
                "XNYS",
            ],
            "aliases": ["", "", "", "", "", "", "", "", ""],
        }
    ),
    source="test",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FedEx agreed to buy the logistics unit for $2.1 billion", "acquisition"),
        ("The drugmaker completed its takeover of the biotech", "acquisition"),
        ("Company raises full-year outlook after strong demand", "guidance"),
        ("The retailer cut its annual sales forecast on Tuesday", "guidance"),
        ("The chipmaker withdrew its guidance, citing tariffs", "guidance"),
        ("The board named Jane Doe chief executive officer", "management"),
        ("Its CFO will step down at the end of March", "management"),
        ("The company announced a $10 billion share buyback", "capital_return"),
        ("It raised its quarterly dividend by 5%", "capital_return"),
        ("The startup priced its initial public offering at $18", "offering"),
        ("It plans to sell $500 million of convertible notes", "offering"),
        ("The FDA approved the company's obesity drug", "regulatory"),
        ("The agency issued a complete response letter for the drug", "regulatory"),
        ("A federal judge ruled that the patent was invalid", "regulatory"),
        ("EU regulators fined the search giant 2.4 billion euros", "regulatory"),
        ("The company reported third-quarter results that beat estimates", "earnings"),
        ("Quarterly revenue rose 12% and it raised its outlook", "earnings"),
        ("The automaker unveiled a new electric SUV", "product"),
        ("It will host an investor day in New York", "conference"),
        ("Notice of annual general meeting", None),
        ("It reported results and raised its dividend", "earnings"),
        (
            "It cut its forecast, warning that first-quarter results would be weak",
            "guidance",
        ),
        ("The board raised its quarterly dividend", "capital_return"),
        ("It won FDA approval for the drug it launched", "regulatory"),
        ("Disney brings back Bob Iger as CEO", "management"),
        ("Toyota sees 20 pct profit fall this year, announces buyback", "guidance"),
    ],
)
def test_classify(text: str, expected: str | None) -> None:
    assert classify(text) == expected


def test_every_type_is_a_catalog_type() -> None:
    names = {t.removesuffix("_weak").removesuffix("_period") for t in TYPE_CUES}
    assert names <= set(EVENT_TYPES)


def test_normalize_name() -> None:
    assert normalize_name("The Toyota Motor Corp.'s") == "toyota motor"
    assert normalize_name("Koninklijke Philips N.V.") == "koninklijke philips"
    assert normalize_name("Nestlé S.A.") == "nestle"
    assert normalize_name("Procter & Gamble Co") == "procter and gamble"
    assert normalize_name("Group") == "group"


def test_names_longest_first_and_fuzzy() -> None:
    found = find_names("Toyota Motor Corp's shares rose.", UNIVERSE.by_name)
    assert [(m.text, m.issuer) for m in found] == [
        ("Toyota Motor Corp's", normalize_name("Toyota Motor Corp"))
    ]
    assert found[0].legal
    # one letter off a two-word name: a fuzzy match above the threshold
    (fuzzy,) = find_names("Toyota Motors said", UNIVERSE.by_name)
    assert fuzzy.fuzzy is not None
    assert fuzzy.fuzzy >= 92
    # a close ratio is not enough when the first words differ
    assert find_names("Tarket Corporation said", UNIVERSE.by_name) == []
    assert find_names("Shares of Apple Hospitality fell", UNIVERSE.by_name)[
        0
    ].issuer == (normalize_name("Apple Hospitality REIT, Inc."))


def _companies(text: str) -> dict[str, tuple[str, list[str]]]:
    out = {}
    for c in find_companies(split_document(text), UNIVERSE):
        out[c.name] = (c.role, [x.ticker for x in c.written])
    return out


def test_common_word_needs_corroboration() -> None:
    assert "Target Corporation" not in _companies(
        "Retailers miss their sales target.\nTarget shoppers were few.".replace(
            "Target shoppers", "Few shoppers came"
        )
        + " Target said nothing."
    )
    # repeated, with a legal suffix, or with a symbol: counted
    assert "Target Corporation" in _companies(
        "Target said sales fell. Target cut jobs."
    )
    assert "Target Corporation" in _companies("Target Corp said sales fell.")
    assert "Target Corporation" in _companies("Target (NYSE: TGT) said sales fell.")
    # "Apple" alone never matches Apple Hospitality
    got = _companies("Apple launched a phone. Apple shares rose.")
    assert "Apple Inc." in got
    assert "Apple Hospitality REIT, Inc." not in got


@pytest.mark.parametrize(
    ("text", "ticker", "verified", "form"),
    [
        ("FedEx (NYSE: FDX) said", "FDX", True, "exchange prefix"),
        ("FedEx (NYSE:FDX) said", "FDX", True, "exchange prefix"),
        ("OPKO Health (OPK 4.83%) said", "OPK", False, "price move"),
        ("FedEx (FDX -1.23%) said", "FDX", True, "price move"),
        ("FedEx Corp (FDX.N) said", "FDX", True, "Reuters code"),
        ("Toyota Motor Corp (7203.T) said", "7203.T", True, "Reuters code"),
        ("Toyota 7203.T said", "7203.T", True, "Reuters code"),
        ("Tencent (0700.HK) said", "0700.HK", True, "Reuters code"),
        ("Halma (LON: HLMA) said", "HLMA.L", True, "exchange prefix"),
        ("SAP (ETR: SAP) said", "SAP.DE", True, "exchange prefix"),
        ("LVMH (EPA: MC) said", "MC.PA", False, "exchange prefix"),
        ("Toyota (TYO: 7203) said", "7203.T", True, "exchange prefix"),
        ("Tencent (HKEX: 700) said", "0700.HK", True, "exchange prefix"),
        ("BHP (ASX: BHP) said", "BHP.AX", False, "exchange prefix"),
        ("Siemens (SIEGn.DE) said", "SIE.DE", False, "Reuters code"),
        ("SAP SE (SAPG.DE) said", "SAP.DE", True, "Reuters code"),
        ("South32 Ltd S32.AX said", "S32.AX", False, "Reuters code"),
    ],
)
def test_symbol_forms(text: str, ticker: str, verified: bool, form: str) -> None:
    (found,) = find_symbols(text, UNIVERSE)
    assert (found.listing.ticker, found.listing.verified, found.form) == (
        ticker,
        verified,
        form,
    )


def test_bare_words_are_not_symbols() -> None:
    assert find_symbols("The CEO (AI) said the US economy (GDP) grew.", UNIVERSE) == []
    assert find_symbols("FDX said", UNIVERSE) == []  # a bare symbol needs a form
    assert find_symbols("The U.S. economy and Inc.T grew", UNIVERSE) == []


def test_symbol_after_name_and_unverified_name() -> None:
    got = _companies(
        "Halma plc (LON: HLMA) buys a sensor maker\n"
        "Bigco Widgets AG (ETR: BGW) said it would partner with Halma."
    )
    assert got["Halma plc"] == ("main", ["HLMA.L"])
    assert got["Bigco Widgets AG"] == ("other", ["BGW.DE"])
    got = _companies("FedEx Corp FDX said on Tuesday it would cut jobs.")
    assert got["FedEx Corporation"] == ("main", ["FDX"])


def test_a_name_before_an_unverified_symbol_counts_everywhere() -> None:
    got = _companies(
        "Criteo shares jump on report Publicis in talks to buy it\n"
        "Criteo SA's (CRTO.O) shares jumped on Friday. FedEx said nothing."
    )
    assert got["Criteo"] == ("main", ["CRTO"])


def test_main_company_is_the_headline_subject() -> None:
    got = _companies(
        "Toyota raises outlook\n"
        "Toyota Motor Corp raised its forecast. Rival FedEx and FedEx units also "
        "benefit, FedEx said."
    )
    assert got["Toyota Motor Corp"][0] == "main"
    assert got["FedEx Corporation"][0] == "other"


def test_default_universe_covers_indices_and_the_catalog() -> None:
    universe = default_universe()
    assert len(universe) > 1500
    for ticker, mic in [
        ("BABA", "XNYS"),
        ("9988.HK", "XHKG"),
        ("7203.T", "XTKS"),
        ("HLMA.L", "XLON"),
        ("FDX", "XNYS"),
        ("MC.PA", "XPAR"),
    ]:
        listing = universe.get(ticker)
        assert listing is not None, ticker
        assert listing.exchange == mic, ticker
