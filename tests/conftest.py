"""Shared fixtures: real git repositories and the composite-action harness."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gitfactory import RepoBuilder
from harness import ActionResult, run_action


@pytest.fixture(scope="session")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RUNNER_TEMP per test session, like one job: the venv is built once."""
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    return RepoBuilder(tmp_path / "repo")


@pytest.fixture
def action(runner_temp: Path, tmp_path: Path) -> Callable[..., ActionResult]:
    """``action("sentinel", {"tag": "v1.2.3"}, workspace=..., github=..., env=...)``."""
    workspace = tmp_path / "workspace"
    workspace.mkdir(exist_ok=True)

    def run(name: str, inputs: dict[str, str] | None = None, **kwargs: Any) -> ActionResult:
        kwargs.setdefault("workspace", workspace)
        return run_action(name, inputs, runner_temp=runner_temp, **kwargs)

    return functools.partial(run)
