"""Every kind of Teams card notify renders, parsed and validated by Microsoft's own
Adaptive Cards library (npm ``adaptivecards``, fetched by scripts/fetch-adaptivecards.sh
with the Teams host config) through tests/teams_card_check.js.

Skipped, saying why, when Node or the library is absent.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fixtures.notify.factory import HERE, adversarial, document, entry, huge, realistic

from sovereign import release
from sovereign.notify import limits, teams
from sovereign.notify.message import Message, from_changelog, from_markdown

ROOT = Path(__file__).resolve().parents[3]
CACHE = ROOT / ".cache" / "adaptivecards"
CHECKER = ROOT / "tests" / "teams_card_check.js"
ENV = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "octo/widget", "GITHUB_RUN_ID": "4242"}
LINKS = {"release_url": "https://github.com/octo/widget/releases/tag/v1.4.0", "snapshot_url": "https://g.example/s/1"}


def check(payloads: list[dict[str, Any]]) -> list[list[str]]:
    """One list of problems per payload, from Microsoft's parser (skips when it is absent)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: Teams cards are not checked with Microsoft's parser")
    if not (CACHE / "adaptivecards.js").is_file():
        pytest.skip("the adaptivecards library is absent: run scripts/fetch-adaptivecards.sh")
    result = subprocess.run(
        [node, str(CHECKER), str(CACHE / "adaptivecards.js"), str(CACHE / "microsoft-teams-light.json")],
        input=json.dumps(payloads),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    problems: list[list[str]] = json.loads(result.stdout)
    assert len(problems) == len(payloads)
    return problems


def _many_contributors() -> Message:
    names = [f"contributor-{i}" for i in range(400)] + ["\u200b", "@everyone", "<at>Admin</at>", "👩‍💻 " * 50]
    return from_changelog(document([("Fixes", [entry(1, "fix")])], contributors=names), status="success", environ=ENV)


@cache
def representative() -> dict[str, Message]:
    """What notify can be asked to announce, from nothing at all to more than fits."""
    golden = release.load(HERE / "changelog-v1.4.0.json")
    long_title = from_markdown("- x", status="success", title="T" * 5_000, repository="o/r", tag="v1", environ=ENV)
    return {
        "release": from_changelog(golden, status="success", environ=ENV, **LINKS),
        "failure without notes": from_markdown("", status="failure", repository="octo/widget", tag="v1.4.0"),
        "cancelled, no links": from_markdown("- one", status="cancelled", repository="o/r", tag="v1"),
        "markdown notes": from_markdown("## A\n- a\n# B\n1. b\nplain", status="success", tag="v2", environ=ENV),
        "hostile": from_changelog(adversarial(), status="success", environ=ENV, **LINKS),
        "huge": from_changelog(huge(), status="success", environ=ENV, **LINKS),
        "huge, long titles": from_changelog(huge(600, 2_000), status="failure", environ=ENV),
        "many contributors": _many_contributors(),
        "long title": long_title,
        "realistic, no run": from_changelog(realistic(), status="success"),
        "only highlights": dataclasses.replace(from_changelog(realistic(), status="success", environ=ENV), groups=()),
    }


def test_every_representative_card_is_valid_for_microsofts_parser():
    cards = {name: teams.render(message) for name, message in representative().items()}
    for name, payload in cards.items():
        assert limits.violations("teams", payload) == [], name
    golden = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(HERE.glob("teams-*.json"))]
    assert golden, "the golden Teams payloads are checked too"
    names = [*cards, *(f"golden {path.name}" for path in sorted(HERE.glob("teams-*.json")))]
    found = check([*cards.values(), *golden])
    assert {name: problems for name, problems in zip(names, found, strict=True) if problems} == {}


def test_the_check_finds_what_is_wrong_with_a_card():
    """So a green run means something: each fault below is reported."""
    payload = teams.render(representative()["release"])
    card = payload["attachments"][0]["content"]
    card["body"].append({"type": "TextBlock", "text": "x", "style": "heading"})  # a 1.5 property on a 1.4 card
    card["body"].append({"type": "Container", "style": "loud", "items": [{"type": "TextBlock", "text": "y"}]})
    card["body"][1]["inlines"][0]["colr"] = "Good"  # a typo the parser ignores
    card["actions"] = [{"type": "Action.OpenUrl", "title": str(i), "url": "https://x.example"} for i in range(7)]
    card["actions"][0].pop("url")
    envelope = {"type": "message", "attachments": []}
    standalone = teams.render(representative()["release"])
    standalone["attachments"][0]["content"]["body"].append({"type": "TextRun", "text": "z"})
    broken, empty, refused = check([payload, envelope, standalone])
    text = "\n".join(broken)
    assert 'Property "style" is supported in version 1.5, but you are using version 1.4.' in text
    assert 'Invalid value "loud" for property "style"' in text
    assert ".body.1.inlines.0.colr is ignored by the parser" in text
    assert "Maximum number of actions exceeded (6)" in text
    assert 'Property "url" must be set' in text
    assert "msteams" not in text, "Teams' own extension is allowed"
    assert empty == ['not a Teams message: {"type": "message", "attachments": [...]} expected']
    assert refused == ["the parser refused the card: Elements of type TextRun cannot be used as standalone elements."]
