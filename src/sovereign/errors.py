"""The two kinds of expected failure every stage reports without a traceback."""

from __future__ import annotations

from collections.abc import Sequence


class SovereignError(Exception):
    """A check failed, a service refused, or an input was bad: exit 1.

    ``what`` says what went wrong, ``fix`` how to put it right; both end up on
    one ``::error`` line, so neither may hold a secret.
    """

    exit_code = 1

    def __init__(self, what: str, fix: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix

    def line(self) -> str:
        return f"{self.what} — {self.fix}" if self.fix else self.what


class UsageError(SovereignError):
    """The command line (or a boolean input) could not be understood: exit 2."""

    exit_code = 2


class Failed(SovereignError):
    """Several problems found; each gets its own ``::error`` line, then exit 1."""

    def __init__(self, problems: list[SovereignError]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def raise_all(problems: Sequence[SovereignError]) -> None:
    """Nothing when there is no problem, the problem itself when there is one, else :class:`Failed`."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise Failed(list(problems))
