"""The delivery record: which channels already have a release's message.

One entry per (repository, tag, status, channel) delivered, with when and by
which run. A re-run reads it and posts only to the channels missing from it, so
"Re-run failed jobs" after Slack succeeded and Discord failed posts to Discord
only. The file lives in ``artifacts-dir``; in Actions it travels between
attempts and runners through the Actions cache (see notify/action.yml). It
holds no secret: no webhook URL, no payload.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from sovereign.errors import SovereignError

FILE = "notify-deliveries.json"
SCHEMA = "sovereign.notify-deliveries/v1"
_FIX = "delete the file (or the sovereign-notify-* Actions cache), or set resend: true to send to every channel"


@dataclass(frozen=True)
class Delivery:
    repository: str
    tag: str
    status: str
    channel: str
    at: str  # UTC, ISO 8601: when the channel accepted the message
    run: str  # "<run id>/<attempt>" in Actions, "" on a laptop
    message_id: str = ""

    def same_release(self, repository: str, tag: str, status: str) -> bool:
        return (self.repository, self.tag, self.status) == (repository, tag, status)


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read(path: Path) -> list[Delivery]:
    """Every delivery recorded in ``path`` (none when it does not exist). A file
    that cannot be trusted is an error: guessing could post the message twice."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise SovereignError(f"the delivery record {path} cannot be read ({type(err).__name__})", _FIX) from None
    names = {f.name for f in fields(Delivery)}
    entries = data.get("deliveries") if isinstance(data, dict) and data.get("schema") == SCHEMA else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and set(e) == names and all(isinstance(v, str) for v in e.values()) for e in entries
    ):
        raise SovereignError(f"the delivery record {path} is not a {SCHEMA} document", _FIX)
    return [Delivery(**entry) for entry in entries]


def earlier(history: Iterable[Delivery], repository: str, tag: str, status: str) -> dict[str, Delivery]:
    """Channel -> its first delivery of this release's message."""
    found: dict[str, Delivery] = {}
    for delivery in history:
        if delivery.same_release(repository, tag, status):
            found.setdefault(delivery.channel, delivery)
    return found


def write(path: Path, history: Iterable[Delivery]) -> str:
    """Replace the record at once (never half-written) and return a digest of it,
    which names the Actions cache entry it is saved under."""
    text = json.dumps({"schema": SCHEMA, "deliveries": [asdict(d) for d in history]}, ensure_ascii=False, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_text(text + "\n", encoding="utf-8", newline="\n")
    os.replace(scratch, path)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
