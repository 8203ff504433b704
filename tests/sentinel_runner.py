"""Runs the sentinel in-process with a fake clock, and reads its report."""

from __future__ import annotations

import dataclasses
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sovereign.console import detect
from sovereign.gha import Step, execute
from sovereign.sentinel import stage as sentinel

API = "https://api.github.test"
TOKEN = "ghs_sentinelTestToken0123456789"


@dataclass
class Result:
    code: int
    lines: list[str]
    outputs: dict[str, str]
    sleeps: list[float]

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.outputs["report"])

    def check(self, name: str) -> dict[str, str]:
        found = [c for c in self.report["checks"] if c["name"] == name]
        assert len(found) == 1, self.report
        return found[0]

    def result(self, name: str) -> str:
        return self.check(name)["result"]

    @property
    def errors(self) -> list[str]:
        return [line for line in self.lines if line.startswith("::error")]

    @property
    def log(self) -> str:
        """The log as the runner shows it: it consumes the ::add-mask:: lines."""
        return "\n".join(line for line in self.lines if not line.startswith("::add-mask::"))


class FakeClock:
    """Time that moves only when the sentinel sleeps: polling tests never wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def run_sentinel(
    workspace: Path, cli: dict[str, str] | None = None, env: dict[str, str] | None = None, token: str | None = None
) -> Result:
    environ = {
        "GITHUB_ACTIONS": "true",  # the log as the runner reads it
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": "octo/widget",
        "GITHUB_API_URL": API,
    }
    if token:
        environ["GITHUB_TOKEN"] = token
    environ.update(env or {})
    lines: list[str] = []
    fake = FakeClock()
    step = Step("sentinel", environ, out=lines.append, mode=detect(environ, io.StringIO()))  # a list, not a tty
    stage = dataclasses.replace(
        sentinel.STAGE, main=lambda s, i: sentinel.run(s, i, clock=fake.clock, sleep=fake.sleep)
    )
    code = execute(stage, dict(cli or {}), environ, step)
    return Result(code, lines, step.outputs, fake.sleeps)
