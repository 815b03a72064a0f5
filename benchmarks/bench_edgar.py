"""500 companies' cached submissions -> one events table (issue 25).

Generates, in a temporary store, what ``eventstudy events edgar`` keeps after
an online run: for each of N companies (default 500) its submissions JSON in
the SEC's layout (``filings.recent`` as parallel arrays, 1,000 filings of
which about 20% are 8-Ks and the rest 10-Q, 4, S-8, ...), and the SGML headers
of three of its 8-Ks (the convention sample). Half the filers write genuine
UTC, half the New York clock with a ``Z``. Then it times
``filings_events(listings=..., offline=True)``: every file read back and
checked against its sha256, JSON parsed, conventions established, times
converted and checked, types from items, the table built.

    python benchmarks/bench_edgar.py [N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eventstudy.data.edgar import filings_events  # noqa: E402
from eventstudy.data.sec_store import SecStore  # noqa: E402

FORMS = np.array(["8-K", "10-Q", "4", "4", "4", "S-8", "424B2", "SC 13G"])
ITEMS = np.array(
    ["2.02,9.01", "5.02", "8.01,9.01", "7.01,9.01", "1.01,2.03,9.01", "5.07"]
)


def generate(store: SecStore, n: int, per: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tickers = []
    for k in range(n):
        cik = 100000 + k
        start = np.datetime64("2019-01-02T06:00")
        minutes = np.sort(rng.integers(0, 6 * 365 * 24 * 60, size=per))
        accepted = pd.to_datetime(start + minutes.astype("timedelta64[m]"))
        # EDGAR hours only: 06:00-22:00 New York
        accepted = accepted.normalize() + pd.to_timedelta(
            6 * 3600 + (accepted.hour * 3600 + accepted.minute * 60) % (16 * 3600),
            unit="s",
        )
        forms = np.where(rng.random(per) < 0.2, "8-K", rng.choice(FORMS[1:], size=per))
        items = np.where(forms == "8-K", rng.choice(ITEMS, size=per), "")
        ny = accepted.tz_localize(
            "America/New_York", ambiguous="NaT", nonexistent="NaT"
        )
        ok = ~ny.isna()
        accepted, forms, items, ny = accepted[ok], forms[ok], items[ok], ny[ok]
        utc = k % 2 == 0
        shown = ny.tz_convert("UTC").tz_localize(None) if utc else accepted
        acc = [f"{cik:010d}-{d.year % 100:02d}-{i:06d}" for i, d in enumerate(accepted)]
        recent = {
            "accessionNumber": acc,
            "filingDate": [d.date().isoformat() for d in accepted],
            "reportDate": [d.date().isoformat() for d in accepted],
            "acceptanceDateTime": list(shown.strftime("%Y-%m-%dT%H:%M:%S.000Z")),
            "act": ["34"] * len(acc),
            "form": list(forms),
            "fileNumber": ["001-00000"] * len(acc),
            "filmNumber": ["24000000"] * len(acc),
            "items": list(items),
            "core_type": list(forms),
            "size": [12345] * len(acc),
            "isXBRL": [0] * len(acc),
            "isInlineXBRL": [0] * len(acc),
            "primaryDocument": ["doc.htm"] * len(acc),
            "primaryDocDescription": list(forms),
        }
        doc = {
            "cik": str(cik),
            "name": f"Company {k}",
            "tickers": [f"T{k}"],
            "filings": {"recent": recent, "files": []},
        }
        store.write(
            f"submissions/CIK{cik:010d}.json", json.dumps(doc).encode(), "generated"
        )
        eights = np.flatnonzero(forms == "8-K")[
            [0, len(np.flatnonzero(forms == "8-K")) // 2, -1]
        ]
        for i in eights:
            a = acc[i]
            header = f"<SEC-HEADER>{a}.hdr.sgml : x\n<ACCEPTANCE-DATETIME>{accepted[i]:%Y%m%d%H%M%S}\n"
            key = f"Archives/edgar/data/{cik}/{a.replace('-', '')}/{a}.hdr.sgml"
            store.write(key, header.encode(), "generated")
        tickers.append((f"T{k}", cik))
    return pd.DataFrame(tickers, columns=["ticker", "cik"])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("n", nargs="?", type=int, default=500)
    p.add_argument("--per", type=int, default=1000, help="filings per company")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = SecStore(tmp)
        t0 = time.perf_counter()
        listings = generate(store, args.n, args.per)
        gen = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
        times, cpus = [], []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            table = filings_events(
                listings=listings, forms=["8-K"], offline=True, cache_dir=tmp
            )
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        print(
            f"companies: {args.n}, filings per company: {args.per}, "
            f"store: {size / 2**20:.0f} MiB (generated in {gen:.1f} s)"
        )
        print(
            f"events table: {len(table)} rows; time sources: "
            f"{table['time_source'].value_counts().to_dict()}; flagged: {(table['flag'] != '').sum()}"
        )
        print(
            f"filings_events(offline=True): wall best {min(times):.2f} s "
            f"(all {', '.join(f'{t:.2f}' for t in times)}), CPU best {min(cpus):.2f} s; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )


if __name__ == "__main__":
    main()
