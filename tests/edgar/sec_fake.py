"""A fake SEC on 127.0.0.1: the tickers files, submissions and archives, in their formats.

The formats follow the SEC's published descriptions (EDGAR "Accessing EDGAR
Data", the submissions API and the EDGAR Public Dissemination Service header
specification) and files as served by www.sec.gov / data.sec.gov:

* ``/files/company_tickers_exchange.json``: ``{"fields": ["cik", "name",
  "ticker", "exchange"], "data": [[cik, name, ticker, exchange], ...]}``;
* ``/files/company_tickers.json``: ``{"0": {"cik_str": cik, "ticker": ...,
  "title": ...}, ...}``;
* ``/submissions/CIK##########.json``: company facts and ``filings.recent``
  as parallel arrays (``accessionNumber, filingDate, reportDate,
  acceptanceDateTime, act, form, fileNumber, filmNumber, items, core_type,
  size, isXBRL, isInlineXBRL, primaryDocument, primaryDocDescription``) plus
  ``filings.files`` (``name, filingCount, filingFrom, filingTo``) naming older
  pages ``/submissions/CIK##########-submissions-001.json`` that hold the same
  arrays at their top level;
* the three header forms in ``/Archives/edgar/data/CIK/ACCESSIONNODASH/``:
  ``ACCESSION.hdr.sgml``, ``ACCESSION-index-headers.html`` (the header
  HTML-escaped inside ``<pre>``) and the full ``ACCESSION.txt`` submission
  (``<SEC-DOCUMENT>`` then the same ``<SEC-HEADER>``), where
  ``<ACCEPTANCE-DATETIME>YYYYMMDDHHMMSS`` is New York time.

``acceptanceDateTime`` is written in either convention seen in the real API:
genuine UTC with ``.000Z`` (``convention="utc"``) or the New York clock with a
``Z`` appended (``convention="new_york"``).

Nothing here opens a connection to anything but the local server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")

ITEM_NAMES = {
    "1.01": "Entry into a Material Definitive Agreement",
    "1.05": "Material Cybersecurity Incidents",
    "2.01": "Completion of Acquisition or Disposition of Assets",
    "2.02": "Results of Operations and Financial Condition",
    "2.05": "Costs Associated with Exit or Disposal Activities",
    "2.06": "Material Impairments",
    "3.01": "Notice of Delisting or Failure to Satisfy a Continued Listing Rule",
    "5.02": "Departure of Directors or Certain Officers",
    "7.01": "Regulation FD Disclosure",
    "8.01": "Other Events",
    "9.01": "Financial Statements and Exhibits",
}


@dataclass
class Filing:
    """One filing of a fake filer."""

    accession: str  # 0000320193-24-000069
    form: str
    accepted: dt.datetime  # New York wall clock (naive)
    items: str = ""
    filing_date: dt.date | None = None
    report_date: str = ""
    primary_document: str = "doc.htm"
    description: str = ""
    document: str | None = None  # the primary document's HTML (6-K)

    @property
    def nodash(self) -> str:
        return self.accession.replace("-", "")

    def json_time(self, convention: str) -> str:
        """``acceptanceDateTime`` as the API writes it under a convention."""
        if convention == "utc":
            t = self.accepted.replace(tzinfo=NY).astimezone(dt.UTC).replace(tzinfo=None)
        else:
            t = self.accepted
        return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def filed(self) -> dt.date:
        if self.filing_date is not None:
            return self.filing_date
        # EDGAR dates a filing accepted after 17:30 on the next business day
        d = self.accepted.date()
        if self.accepted.time() > dt.time(17, 30):
            d += dt.timedelta(days=1)
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
        return d


@dataclass
class Filer:
    cik: int
    name: str
    tickers: list[str]
    exchanges: list[str]
    convention: str = "utc"  # or "new_york"
    filings: list[Filing] = field(default_factory=list)
    entity_type: str = "operating"

    @property
    def padded(self) -> str:
        return f"{self.cik:010d}"


_ARRAYS = (
    "accessionNumber",
    "filingDate",
    "reportDate",
    "acceptanceDateTime",
    "act",
    "form",
    "fileNumber",
    "filmNumber",
    "items",
    "core_type",
    "size",
    "isXBRL",
    "isInlineXBRL",
    "primaryDocument",
    "primaryDocDescription",
)


def _arrays(filer: Filer, filings: list[Filing]) -> dict[str, list[object]]:
    cols: dict[str, list[object]] = {k: [] for k in _ARRAYS}
    for f in filings:
        values = {
            "accessionNumber": f.accession,
            "filingDate": f.filed().isoformat(),
            "reportDate": f.report_date,
            "acceptanceDateTime": f.json_time(filer.convention),
            "act": "34",
            "form": f.form,
            "fileNumber": "001-36614",
            "filmNumber": "241234567",
            "items": f.items,
            "core_type": f.form,
            "size": 123456,
            "isXBRL": 0,
            "isInlineXBRL": 0,
            "primaryDocument": f.primary_document,
            "primaryDocDescription": f.description or f.form,
        }
        for k in _ARRAYS:
            cols[k].append(values[k])
    return cols


def submissions(filer: Filer, recent: int | None = None) -> dict[str, bytes]:
    """The submissions JSON of a filer (newest first), split into pages.

    ``recent`` filings go in ``filings.recent``; the older ones in one page
    ``CIK##########-submissions-001.json`` listed under ``filings.files``.
    """
    filings = sorted(filer.filings, key=lambda f: f.accepted, reverse=True)
    n = len(filings) if recent is None else recent
    head, tail = filings[:n], filings[n:]
    files = []
    out: dict[str, bytes] = {}
    if tail:
        name = f"CIK{filer.padded}-submissions-001.json"
        files.append(
            {
                "name": name,
                "filingCount": len(tail),
                "filingFrom": min(f.filed() for f in tail).isoformat(),
                "filingTo": max(f.filed() for f in tail).isoformat(),
            }
        )
        out[f"/submissions/{name}"] = json.dumps(_arrays(filer, tail)).encode()
    doc = {
        "cik": str(filer.cik),
        "entityType": filer.entity_type,
        "sic": "7370",
        "sicDescription": "Services-Computer Programming, Data Processing, Etc.",
        "ownerOrg": "06 Technology",
        "insiderTransactionForOwnerExists": 0,
        "insiderTransactionForIssuerExists": 1,
        "name": filer.name,
        "tickers": filer.tickers,
        "exchanges": filer.exchanges,
        "ein": "000000000",
        "lei": None,
        "description": "",
        "website": "",
        "investorWebsite": "",
        "category": "Large accelerated filer",
        "fiscalYearEnd": "0331",
        "stateOfIncorporation": "E9",
        "stateOfIncorporationDescription": "Cayman Islands",
        "addresses": {
            "mailing": {"street1": "969 West Wen Yi Road", "city": "Hangzhou"},
            "business": {"street1": "969 West Wen Yi Road", "city": "Hangzhou"},
        },
        "phone": "000",
        "flags": "",
        "formerNames": [],
        "filings": {"recent": _arrays(filer, head), "files": files},
    }
    out[f"/submissions/CIK{filer.padded}.json"] = json.dumps(doc).encode()
    return out


def sgml_header(filer: Filer, f: Filing) -> str:
    """The ``<SEC-HEADER>`` block as EDGAR disseminates it."""
    lines = [
        f"<SEC-HEADER>{f.accession}.hdr.sgml : {f.filed():%Y%m%d}",
        f"<ACCEPTANCE-DATETIME>{f.accepted:%Y%m%d%H%M%S}",
        f"ACCESSION NUMBER:\t\t{f.accession}",
        f"CONFORMED SUBMISSION TYPE:\t{f.form}",
        "PUBLIC DOCUMENT COUNT:\t\t3",
    ]
    if f.report_date:
        lines.append(f"CONFORMED PERIOD OF REPORT:\t{f.report_date.replace('-', '')}")
    for item in filter(None, f.items.split(",")):
        lines.append(f"ITEM INFORMATION:\t\t{ITEM_NAMES.get(item, 'Other Events')}")
    lines += [
        f"FILED AS OF DATE:\t\t{f.filed():%Y%m%d}",
        f"DATE AS OF CHANGE:\t\t{f.filed():%Y%m%d}",
        "",
        "FILER:",
        "",
        "\tCOMPANY DATA:\t",
        f"\t\tCOMPANY CONFORMED NAME:\t\t\t{filer.name.upper()}",
        f"\t\tCENTRAL INDEX KEY:\t\t\t{filer.padded}",
        "\t\tSTANDARD INDUSTRIAL CLASSIFICATION:\tSERVICES-COMPUTER PROGRAMMING [7370]",
        "</SEC-HEADER>",
    ]
    return "\n".join(lines) + "\n"


def archives(filer: Filer, f: Filing, forms: tuple[str, ...]) -> dict[str, bytes]:
    """The header files (``hdr``, ``index``, ``txt``) and primary document of a filing."""
    base = f"/Archives/edgar/data/{filer.cik}/{f.nodash}"
    header = sgml_header(filer, f)
    out: dict[str, bytes] = {}
    if "hdr" in forms:
        out[f"{base}/{f.accession}.hdr.sgml"] = header.encode()
    if "index" in forms:
        page = (
            '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n'
            f"<HTML><HEAD><TITLE>{f.accession}.hdr.sgml</TITLE></HEAD><BODY>\n"
            f"<PRE>\n{html.escape(header, quote=False)}</PRE>\n</BODY></HTML>\n"
        )
        out[f"{base}/{f.accession}-index-headers.html"] = page.encode()
    if "txt" in forms:
        doc = (
            f"<SEC-DOCUMENT>{f.accession}.txt : {f.filed():%Y%m%d}\n"
            + header
            + "<DOCUMENT>\n<TYPE>"
            + f.form
            + "\n<SEQUENCE>1\n<TEXT>\n"
            + ("x" * 200_000)
            + "\n</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n"
        )
        out[f"{base}/{f.accession}.txt"] = doc.encode()
    if f.document is not None:
        out[f"{base}/{f.primary_document}"] = f.document.encode()
    return out


def tickers_exchange(rows: list[tuple[int, str, str, str | None]]) -> bytes:
    return json.dumps(
        {
            "fields": ["cik", "name", "ticker", "exchange"],
            "data": [list(r) for r in rows],
        }
    ).encode()


def company_tickers(rows: list[tuple[int, str, str]]) -> bytes:
    return json.dumps(
        {
            str(i): {"cik_str": cik, "ticker": ticker, "title": name}
            for i, (cik, ticker, name) in enumerate(rows)
        }
    ).encode()


@dataclass
class Request:
    path: str
    user_agent: str | None
    at: float


@dataclass
class FakeSec:
    """What the fake serves, what it fails, and what it was asked."""

    files: dict[str, bytes] = field(default_factory=dict)
    #: path -> statuses to answer first, in order (e.g. [503, 429])
    fail: dict[str, list[int]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    url: str = ""

    def add_filer(
        self,
        filer: Filer,
        *,
        recent: int | None = None,
        headers: tuple[str, ...] = ("hdr",),
    ) -> None:
        self.files.update(submissions(filer, recent))
        for f in filer.filings:
            self.files.update(archives(filer, f, headers))

    def paths(self, prefix: str = "") -> list[str]:
        return [r.path for r in self.requests if r.path.startswith(prefix)]


def _handler(fake: FakeSec) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(
                Request(self.path, self.headers.get("User-Agent"), time.monotonic())
            )
            queue = fake.fail.get(self.path)
            if queue:
                status = queue.pop(0)
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = fake.files.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            kind = "application/json" if self.path.endswith(".json") else "text/plain"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # the client may hang up once it has the head it wanted
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class FakeSecServer:
    """Serve a :class:`FakeSec` on 127.0.0.1 in a thread."""

    def __init__(self, fake: FakeSec) -> None:
        self.fake = fake
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        fake.url = f"http://{host!s}:{port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), daemon=True
        )

    def __enter__(self) -> FakeSec:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
