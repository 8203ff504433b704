"""Local git, read through argv lists only (never a shell), output read as bytes."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from sovereign.errors import SovereignError


@dataclass(frozen=True)
class Tag:
    name: str
    commit: str  # the peeled commit, also for annotated tags
    annotated: bool


class GitRepo:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _git(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        try:
            if stdin is not None:
                return subprocess.run(
                    ["git", "-C", str(self.path), *args], capture_output=True, input=stdin, check=False
                )
            return subprocess.run(
                ["git", "-C", str(self.path), *args],
                capture_output=True,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise SovereignError("git is not installed or not on PATH", "install git on the runner") from None

    def run(self, *args: str, check: bool = True, stdin: bytes | None = None) -> bytes:
        """``git -C path args`` as bytes (``stdin`` fed to it); a failure becomes a clear SovereignError."""
        result = self._git(*args, stdin=stdin)
        if check and result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SovereignError(
                f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(result.returncode)}",
                "check that the workspace is a git checkout with the tags fetched (actions/checkout with fetch-depth: 0)",
            )
        return result.stdout

    def text(self, *args: str) -> str:
        return self.run(*args).decode("utf-8", "replace").strip()

    def is_repo(self) -> bool:
        return self.run("rev-parse", "--git-dir", check=False) != b""

    def is_shallow(self) -> bool:
        return self.text("rev-parse", "--is-shallow-repository") == "true"

    def tags(self) -> dict[str, Tag]:
        """Every tag with its peeled commit, in one call."""
        fmt = "%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)"
        out = self.run("for-each-ref", f"--format={fmt}", "refs/tags")
        tags: dict[str, Tag] = {}
        for line in out.decode("utf-8", "replace").splitlines():
            name, kind, obj, peeled = line.split("\0")
            annotated = kind == "tag"
            tags[name] = Tag(name, peeled if annotated and peeled else obj, annotated)
        return tags

    def commit_of(self, rev: str) -> str | None:
        """The commit ``rev`` points at (peeled), or None if it does not exist."""
        if rev.startswith("-"):
            return None
        out = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False)
        return out.decode().strip() or None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self._git("merge-base", "--is-ancestor", ancestor, descendant).returncode == 0
