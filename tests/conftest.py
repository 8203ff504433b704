"""Shared fixtures: real git repositories and the composite-action harness."""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gitfactory import RepoBuilder
from harness import ActionResult, run_action

from sovereign import http


@pytest.fixture(scope="session")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RUNNER_TEMP per test session, like one job: the venv is built once."""
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    return RepoBuilder(tmp_path / "repo")


@pytest.fixture
def action(runner_temp: Path, tmp_path: Path) -> Callable[..., ActionResult]:
    """``action("sentinel", {"tag": "v1.2.3"}, workspace=..., github=..., env=..., runner_temp=..., cache=...)``."""
    workspace = tmp_path / "workspace"
    workspace.mkdir(exist_ok=True)

    def run(name: str, inputs: dict[str, str] | None = None, **kwargs: Any) -> ActionResult:
        kwargs.setdefault("workspace", workspace)
        kwargs.setdefault("runner_temp", runner_temp)
        return run_action(name, inputs, **kwargs)

    return functools.partial(run)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Every wait the HTTP policy would make, recorded instead of slept.

    urllib3's waits (backoff, Retry-After) go through ``RetryPolicy.sleep``; the
    resend after a body cut mid-response goes through ``sovereign.http.time.sleep``.
    """
    waited: list[float] = []

    def record(self: http.RetryPolicy, response: object = None) -> None:
        after = self.get_retry_after(response) if response is not None else None  # type: ignore[arg-type]
        if after:
            waited.append(after)
        elif self.get_backoff_time() > 0:
            waited.append(self.get_backoff_time())

    monkeypatch.setattr(http.RetryPolicy, "sleep", record)
    monkeypatch.setattr(http, "time", types.SimpleNamespace(sleep=waited.append))
    yield waited
