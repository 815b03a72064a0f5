"""Documents to extract from: files, folders and RSS/Atom feeds.

Plain text (``.txt``), Markdown (``.md``) and HTML (``.html``, ``.htm``;
text only: scripts, styles and other non-text elements are dropped) are
read as UTF-8. Feeds (``.rss``, ``.atom``, ``.xml``) need the optional
``feedparser`` package (``pip install eventstudy[feeds]``); each entry
becomes a document (title as headline, summary or content as body, its
published date kept). Every problem names the file: a binary or huge file, a
file that is not UTF-8, an empty folder.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from eventstudy.exceptions import CatalogError

__all__ = [
    "DOCUMENT_SUFFIXES",
    "FEED_SUFFIXES",
    "MAX_BYTES",
    "Document",
    "html_to_text",
    "iter_documents",
    "read_document",
]

DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
#: Larger files are refused (news articles are a few kB).
MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class Document:
    """One document's text.

    Parameters
    ----------
    name : str
        File name (``feed.xml#3`` for a feed's third entry).
    text : str
        Text, headline first when known.
    published : date, optional
        A feed entry's own publication date.
    """

    name: str
    text: str
    published: dt.date | None = None


_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "article",
    "section",
    "header",
    "footer",
    "blockquote",
    "title",
    "dd",
    "dt",
    "pre",
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.skip = 0
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in _SKIP:
            self.skip += 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in _SKIP and self.skip:
            self.skip -= 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    r"""Return the visible text of an HTML page, one block per line; never scripts.

    Parameters
    ----------
    markup : str
        HTML.

    Returns
    -------
    str
        Text; the ``<title>`` first unless the text already starts with it.

    Examples
    --------
    >>> html_to_text("<title>T</title><p>A <b>b</b>.</p><script>x()</script>")
    'T\nA b.'
    """
    parser = _Text()
    parser.feed(markup)
    parser.close()
    body = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", x).strip() for x in body.splitlines()]
    lines = [x for x in lines if x]
    title = " ".join("".join(parser.title).split())
    if title and (not lines or lines[0] != title):
        lines.insert(0, title)
    return "\n".join(lines)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc.strerror}") from None
    if size > MAX_BYTES:
        raise CatalogError(
            f"{path}: {size:,} bytes is too large for a news document "
            f"(limit {MAX_BYTES:,}); split it or pass the articles one by one"
        )
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise CatalogError(f"{path}: a binary file, not a text document")
    return data


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); convert it, e.g. iconv -f latin1 -t utf-8"
        ) from None


def read_document(path: Path) -> Document:
    """Read one text, Markdown or HTML file.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    Document

    Raises
    ------
    CatalogError
        No such file, a binary, huge or non-UTF-8 file, an empty document.
    """
    if not path.is_file():
        raise CatalogError(f"{path}: no such document")
    text = _decode(path, _read_bytes(path))
    if path.suffix.lower() in (".html", ".htm") or re.match(
        r"\s*(?:<!doctype html|<html)", text, re.IGNORECASE
    ):
        text = html_to_text(text)
    if not text.strip():
        raise CatalogError(f"{path}: empty document")
    return Document(path.name, text)


def read_feed(path: Path) -> list[Document]:
    """Return the entries of an RSS or Atom feed file as documents.

    Parameters
    ----------
    path : Path
        A feed file.

    Returns
    -------
    list of Document

    Raises
    ------
    CatalogError
        ``feedparser`` is missing, or the file is not a feed.
    """
    try:
        import feedparser
    except ImportError:
        raise CatalogError(
            f"{path}: reading RSS/Atom feeds needs feedparser: "
            "pip install 'eventstudy[feeds]'"
        ) from None
    text = _decode(path, _read_bytes(path))
    feed = feedparser.parse(text)
    if feed.get("bozo") and not feed.entries:
        raise CatalogError(
            f"{path}: not an RSS or Atom feed: {feed.get('bozo_exception')}"
        )
    out = []
    for i, entry in enumerate(feed.entries, start=1):
        title = html_to_text(str(entry.get("title", "")))
        content = entry.get("content") or []
        body = content[0].get("value", "") if content else entry.get("summary", "")
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        published = dt.date(when.tm_year, when.tm_mon, when.tm_mday) if when else None
        text = "\n".join(x for x in (title, html_to_text(str(body))) if x)
        if text.strip():
            out.append(Document(f"{path.name}#{i}", html.unescape(text), published))
    return out


def iter_documents(paths: Iterable[Path]) -> Iterator[Document]:
    """Documents of files, folders (searched recursively) and feeds.

    Parameters
    ----------
    paths : iterable of Path
        Files and folders, in order; a folder's files are read in name order.

    Yields
    ------
    Document

    Raises
    ------
    CatalogError
        A missing path, a folder without documents, or a bad file.
    """
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES + FEED_SUFFIXES
            )
            if not files:
                raise CatalogError(
                    f"{path}: no documents in this folder (looked for "
                    + ", ".join(DOCUMENT_SUFFIXES + FEED_SUFFIXES)
                    + ")"
                )
            for file in files:
                yield from _one(file)
        elif path.is_file():
            yield from _one(path)
        else:
            raise CatalogError(f"{path}: no such document or folder")


def _one(path: Path) -> Iterator[Document]:
    if path.suffix.lower() in FEED_SUFFIXES:
        yield from read_feed(path)
    else:
        yield read_document(path)
