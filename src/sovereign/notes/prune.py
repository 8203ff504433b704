"""What is left out before classification, and why: already released, listed twice, reverted.

Every commit of the range stays accounted for: a change left out here is an
exclusion with its reason, counted in the JSON like the others.
"""

from __future__ import annotations

from sovereign.notes import once, reverts
from sovereign.notes.classify import Exclusion
from sovereign.notes.model import Change, Collected


def prune(
    changes: list[Change], found: Collected, previous: str | None, tip: str
) -> tuple[list[Change], list[Exclusion]]:
    """The changes to classify, and those left out with their reason."""
    changes = once.fold_copies(changes, found.commits, tip)
    left_out: list[tuple[Change, str]] = []
    for step in (
        lambda cs: once.already_released(cs, found, previous),
        once.backports,
        reverts.cancel,
    ):
        changes, gone = step(changes)
        left_out += gone
    return changes, [Exclusion(change, reason) for change, reason in left_out]
