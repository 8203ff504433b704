"""Fixtures of the reliability suite, and the record of outcomes docs/reliability.md is checked against."""

from __future__ import annotations

import pytest
from table import OUTCOMES, READ_TIMEOUT

from sovereign import http


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/reliability/" not in report.nodeid.replace("\\", "/"):
        return
    if report.when == "call" or report.outcome != "passed":
        previous = OUTCOMES.get(report.nodeid)
        if previous in (None, "passed"):
            OUTCOMES[report.nodeid] = "xfailed" if hasattr(report, "wasxfail") else report.outcome


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The doc check runs last, after every row it reports on."""
    last = [i for i in items if i.get_closest_marker("reliability_doc")]
    for item in last:
        items.remove(item)
    items.extend(last)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "reliability_doc: checks docs/reliability.md; runs after the others")


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every session gets a short read timeout, so a read-timeout cell costs a fraction of a second."""
    original = http.PolicySession.__init__

    def init(self: http.PolicySession, timeout: tuple[float, float] = http.TIMEOUT, retry_posts: bool = False) -> None:
        original(self, (2.0, READ_TIMEOUT), retry_posts)

    monkeypatch.setattr(http.PolicySession, "__init__", init)
