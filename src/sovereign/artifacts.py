"""Where stages write their files: under the workspace, named after the tag."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from sovereign.errors import SovereignError
from sovereign.gha import MAX_TAG_LENGTH, Step, quote


def workspace(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("GITHUB_WORKSPACE") or os.getcwd()).resolve()


def artifacts_dir(value: str, environ: Mapping[str, str]) -> Path:
    """The ``artifacts-dir`` input resolved under the workspace; escaping it is refused."""
    base = workspace(environ)
    raw = value.strip() or "sovereign-artifacts"
    path = (base / raw).resolve()
    if path != base and base not in path.parents:
        raise SovereignError(
            f"input 'artifacts-dir' {quote(raw)} points outside the workspace {base}",
            "use a relative path such as sovereign-artifacts",
        )
    return path


def workspace_file(value: str, name: str, environ: Mapping[str, str]) -> Path:
    """A file named by input ``name``, relative to the workspace and kept inside it:
    a stage reads only the workspace."""
    base = workspace(environ)
    path = (base / value).resolve()
    if base not in path.parents:
        raise SovereignError(
            f"input '{name}' {quote(value)} points outside the workspace {base}",
            "give a path inside the workspace, e.g. sovereign-artifacts/changelog-v1.2.3.json",
        )
    return path


def file_name(kind: str, tag: str, suffix: str) -> str:
    """``changelog-v1.2.3.md``: the tag made safe for every file system (and short
    enough for it: a long tag keeps its start plus a hash, so names stay distinct)."""
    safe = re.sub(r"[^A-Za-z0-9._+-]", "-", tag).strip(".-") or "untagged"
    if len(safe) > MAX_TAG_LENGTH:
        safe = f"{safe[: MAX_TAG_LENGTH - 17]}-{hashlib.sha256(tag.encode()).hexdigest()[:16]}"
    return f"{kind}-{safe}.{suffix}"


def write(directory: Path, name: str, text: str, step: Step) -> Path:
    """Write one artifact with secrets redacted, creating the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(step.redact(text), encoding="utf-8", newline="\n")
    step.debug(f"wrote {path}")
    return path
