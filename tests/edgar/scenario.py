"""Three fake filers with both time conventions and daylight-saving boundaries."""

from __future__ import annotations

import datetime as dt

from tests.edgar.sec_fake import (
    FakeSec,
    Filer,
    Filing,
    company_tickers,
    tickers_exchange,
)

T = dt.datetime


def doc(title: str, paragraph: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body>"
        "<p>UNITED STATES SECURITIES AND EXCHANGE COMMISSION</p>"
        "<p>Washington, D.C. 20549</p><p>FORM 6-K</p>"
        "<p>REPORT OF FOREIGN PRIVATE ISSUER PURSUANT TO RULE 13a-16 OR 15d-16</p>"
        "<p>For the month of May 2024</p><p>Commission File Number 001-36614</p>"
        f"<p>{paragraph}</p></body></html>"
    )


def nvda() -> Filer:
    """Genuine UTC in the JSON; filings on both sides of 2024's two DST switches."""
    return Filer(
        cik=1045810,
        name="NVIDIA CORP",
        tickers=["NVDA"],
        exchanges=["Nasdaq"],
        convention="utc",
        filings=[
            Filing(
                "0001045810-24-000010",
                "8-K",
                T(2024, 3, 8, 17, 0, 5),
                "5.02",
                report_date="2024-03-07",
            ),
            Filing(
                "0001045810-24-000011",
                "8-K",
                T(2024, 3, 11, 7, 30, 0),
                "8.01",
                report_date="2024-03-11",
            ),
            Filing(
                "0001045810-24-000113",
                "8-K",
                T(2024, 5, 22, 16, 20, 44),
                "2.02,9.01",
                report_date="2024-05-22",
            ),
            Filing("0001045810-24-000200", "10-Q", T(2024, 5, 29, 16, 5, 0)),
            Filing(
                "0001045810-24-000260",
                "8-K",
                T(2024, 8, 28, 16, 21, 3),
                "2.02,9.01",
                report_date="2024-08-28",
            ),
            Filing(
                "0001045810-24-000261",
                "8-K/A",
                T(2024, 8, 30, 9, 15, 0),
                "2.02,9.01",
                report_date="2024-08-28",
            ),
            Filing(
                "0001045810-24-000300",
                "8-K",
                T(2024, 11, 1, 16, 10, 0),
                "1.01",
                report_date="2024-10-31",
            ),
            Filing(
                "0001045810-24-000301",
                "8-K",
                T(2024, 11, 4, 8, 0, 0),
                "1.05",
                report_date="2024-11-03",
            ),
            Filing(
                "0001045810-24-000316",
                "8-K",
                T(2024, 11, 20, 16, 20, 12),
                "2.02,9.01",
                report_date="2024-11-20",
            ),
            Filing(
                "0001045810-25-000023",
                "8-K",
                T(2025, 2, 26, 16, 20, 31),
                "2.02,7.01,9.01",
                report_date="2025-02-26",
            ),
        ],
    )


def msft() -> Filer:
    """The trap: the New York clock with a Z appended."""
    return Filer(
        cik=789019,
        name="MICROSOFT CORP",
        tickers=["MSFT"],
        exchanges=["Nasdaq"],
        convention="new_york",
        filings=[
            Filing(
                "0000950170-24-048288",
                "8-K",
                T(2024, 4, 25, 16, 5, 9),
                "2.02,9.01",
                report_date="2024-04-25",
            ),
            Filing(
                "0000950170-24-087843",
                "8-K",
                T(2024, 7, 30, 16, 6, 2),
                "2.02,9.01",
                report_date="2024-07-30",
            ),
            Filing(
                "0000950170-24-118955",
                "8-K",
                T(2024, 10, 30, 16, 5, 51),
                "2.02,9.01",
                report_date="2024-10-30",
            ),
            Filing(
                "0000950170-24-120001",
                "8-K",
                T(2024, 11, 4, 6, 30, 0),
                "5.02",
                report_date="2024-11-01",
            ),
            Filing(
                "0000950170-25-010491",
                "8-K",
                T(2025, 1, 29, 16, 21, 3),
                "2.02,9.01",
                report_date="2025-01-29",
            ),
        ],
    )


def baba() -> Filer:
    """A foreign private issuer: 6-Ks, typed from their primary documents."""
    return Filer(
        cik=1577552,
        name="Alibaba Group Holding Ltd",
        tickers=["BABA"],
        exchanges=["NYSE"],
        convention="utc",
        filings=[
            Filing(
                "0001104659-24-060001",
                "6-K",
                T(2024, 5, 14, 6, 1, 12),
                primary_document="tm2414a_6k.htm",
                document=doc(
                    "6-K",
                    "Alibaba Group Announces March Quarter 2024 and Fiscal Year 2024 Results",
                ),
            ),
            Filing(
                "0001104659-24-070002",
                "6-K",
                T(2024, 6, 3, 17, 10, 0),
                primary_document="tm2416b_6k.htm",
                document=doc(
                    "Form 6-K",
                    "Alibaba Group will hold its annual general meeting on August 22, 2024.",
                ),
            ),
            Filing(
                "0001104659-24-090003",
                "6-K",
                T(2024, 8, 15, 6, 2, 40),
                primary_document="tm2421c_6k.htm",
                document=doc(
                    "Alibaba Group Announces June Quarter 2024 Results",
                    "Hangzhou, August 15, 2024.",
                ),
            ),
            Filing(
                "0001104659-24-120004",
                "6-K",
                T(2024, 11, 15, 6, 0, 58),
                primary_document="tm2428d_6k.htm",
                document=doc(
                    "6-K", "Alibaba Group Announces September Quarter 2024 Results"
                ),
            ),
            Filing(
                "0001104659-25-016005",
                "6-K",
                T(2025, 2, 20, 6, 8, 1),
                primary_document="tm254e_6k.htm",
                document=doc(
                    "6-K", "Alibaba Group Announces December Quarter 2024 Results"
                ),
            ),
            Filing("0001104659-25-030006", "20-F", T(2025, 3, 1, 8, 0, 0)),
        ],
    )


FILERS = {"NVDA": nvda, "MSFT": msft, "BABA": baba}


def serve(fake: FakeSec, *, recent: int | None = None) -> dict[str, Filer]:
    filers = {t: make() for t, make in FILERS.items()}
    rows = [(f.cik, f.name, t, f.exchanges[0]) for t, f in filers.items()]
    rows.append((1652044, "Alphabet Inc.", "GOOGL", "Nasdaq"))
    fake.files["/files/company_tickers_exchange.json"] = tickers_exchange(rows)
    fake.files["/files/company_tickers.json"] = company_tickers(
        [(c, t, n) for c, n, t, _ in rows]
    )
    fake.add_filer(filers["NVDA"], recent=recent, headers=("hdr",))
    fake.add_filer(filers["MSFT"], recent=recent, headers=("index",))
    fake.add_filer(filers["BABA"], recent=recent, headers=("txt",))
    return filers


def truth(filers: dict[str, Filer]) -> dict[str, str]:
    """accession -> acceptance time as ISO with its New York offset."""
    from tests.edgar.sec_fake import NY

    return {
        f.accession: f.accepted.replace(tzinfo=NY).isoformat()
        for filer in filers.values()
        for f in filer.filings
    }
