"""Fixtures: a fake SEC on 127.0.0.1 and the environment pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eventstudy.data.sec_http import SecClient
from tests.edgar.sec_fake import FakeSec, FakeSecServer

USER_AGENT = "Test Researcher test@example.org"


@pytest.fixture
def fake_sec(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[FakeSec]:
    """A running fake SEC; the hosts, User-Agent and store point at it and tmp_path."""
    fake = FakeSec()
    with FakeSecServer(fake) as running:
        monkeypatch.setenv("EVENTSTUDY_SEC_DATA_URL", running.url)
        monkeypatch.setenv("EVENTSTUDY_SEC_WWW_URL", running.url + "/")
        monkeypatch.setenv("EVENTSTUDY_SEC_USER_AGENT", USER_AGENT)
        monkeypatch.setenv("EVENTSTUDY_CACHE_DIR", str(tmp_path / "cache"))
        yield running


@pytest.fixture
def fast(fake_sec: FakeSec) -> SecClient:
    """A client that does not wait between requests (the fake has no limit)."""
    return SecClient(sleep=lambda _s: None)
