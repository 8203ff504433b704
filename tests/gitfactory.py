"""Real git repositories for tests: deterministic authors and dates, real tags."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class RepoBuilder:
    """Builds a repository commit by commit; every call is a real git command."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = 1_700_000_000
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test Author")
        self.git("config", "user.email", "author@example.com")
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "tag.gpgsign", "false")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        full_env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
        result = subprocess.run(["git", "-C", str(self.path), *args], capture_output=True, check=True, env=full_env)
        return result.stdout.decode("utf-8", "replace").strip()

    def _dates(self) -> dict[str, str]:
        self.clock += 3600
        stamp = f"@{self.clock} +0000"
        return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}

    def commit(self, message: str, files: dict[str, str] | None = None, author: str | None = None) -> str:
        """Commit ``files`` (name -> content; a counter file when None)."""
        files = files or {"counter.txt": str(self.clock)}
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
            self.git("add", "--", name)
        env = self._dates()
        if author:
            name, _, email = author.partition(" <")
            env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email.rstrip(">") or "a@example.com")
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, annotated: bool = False, target: str = "HEAD") -> None:
        if annotated:
            self.git("tag", "-a", name, "-m", f"Release {name}", target, env=self._dates())
        else:
            self.git("tag", name, target)

    def branch(self, name: str, start: str = "HEAD") -> None:
        self.git("branch", name, start)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def merge(self, branch: str, message: str) -> str:
        self.git("merge", "-q", "--no-ff", "-m", message, branch, env=self._dates())
        return self.head()
