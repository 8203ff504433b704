#!/usr/bin/env python3
"""The sentinel's full gate on big inputs: local git with many tags, and the API path.

    .venv/bin/python bench/sentinel_gate.py [--tags 2000] [--api-tags 5000] [--runs 5]

1. local: a repository of ``--tags`` commits, each tagged ``vX.Y.Z`` (built with
   ``git fast-import``), gated with require-newer, require-branch and
   version-files — no API call; the process is ``python sentinel/main.py``.
2. api: no checkout, a GitHub API on 127.0.0.1 serving ``--api-tags`` tags
   (100 per page), 250 check runs and 120 statuses (paginated), the annotated,
   verified tag and no release; gated with every API check on.

Prints a Markdown table: wall-clock medians of whole processes, and the GitHub
requests the gate made (from the server's own count).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # localserver: the scripted loopback server the tests use

from localserver import Reply, Seen, serve  # noqa: E402

COMMIT = "c" * 40


def version(i: int) -> str:
    return f"{i // 10000}.{(i // 100) % 100}.{i % 100}"


def build_repo(path: Path, count: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    lines = []
    for i in range(count):
        message = f"release {version(i)}\n"
        content = f'[project]\nname = "bench"\nversion = "{version(i)}"\n'
        lines += [
            "commit refs/heads/main",
            f"mark :{i + 1}",
            f"committer Bench <bench@example.com> {1_700_000_000 + i} +0000",
            f"data {len(message)}",
            message.rstrip("\n"),
        ]
        if i:
            lines.append(f"from :{i}")
        lines += [f"M 644 inline pyproject.toml\ndata {len(content)}\n{content}"]
        lines.append(f"reset refs/tags/v{version(i)}\nfrom :{i + 1}\n")
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input="\n".join(lines).encode(), check=True)
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "main"], check=True)


class FakeGitHub:
    """GitHub's REST API for o/r: paginated tags, check runs and statuses; one annotated, verified tag."""

    def __init__(self, tags: int) -> None:
        tag_names = [f"v{version(i)}" for i in range(tags)]
        self.runs = [{"id": i, "name": f"job {i}", "status": "completed", "conclusion": "success"} for i in range(250)]
        statuses = [{"id": i, "context": f"ci/{i}", "state": "success"} for i in range(120)]
        latest = tag_names[-1]
        self.latest = latest
        self.pages: dict[str, list[object]] = {
            "/repos/o/r/tags": [{"name": n, "commit": {"sha": COMMIT}} for n in reversed(tag_names)],
            f"/repos/o/r/commits/{COMMIT}/statuses": list(statuses),
            "/repos/o/r/releases": [],
        }
        self.single: dict[str, object] = {
            f"/repos/o/r/git/ref/tags/{latest}": {"object": {"type": "tag", "sha": "a" * 40}},
            "/repos/o/r/git/tags/" + "a" * 40: {
                "object": {"type": "commit", "sha": COMMIT},
                "verification": {"verified": True, "reason": "valid"},
            },
            f"/repos/o/r/compare/{COMMIT}...main": {"status": "ahead"},
            "/repos/o/r/branches/main": {"name": "main"},
        }

    def reply(self, seen: Seen) -> Reply:
        if seen.method != "GET":
            return Reply(501, b"")  # the sentinel only reads
        parts = urllib.parse.urlsplit(seen.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        headers = {}
        if parts.path == f"/repos/o/r/commits/{COMMIT}/check-runs":
            items, key = self.runs, "check_runs"
        elif parts.path in self.pages:
            items, key = self.pages[parts.path], ""
        elif parts.path.startswith("/repos/o/r/compare/"):
            items, key = None, ""
            body: object = {"status": "ahead"}
        else:
            items, key = None, ""
            body = self.single.get(parts.path, {"message": "Not Found"})
        status = 200 if items is not None or parts.path in self.single or "compare" in parts.path else 404
        if items is not None:
            per, page = int(query.get("per_page", 30)), int(query.get("page", 1))
            chunk = items[(page - 1) * per : page * per]
            body = {key: chunk, "total_count": len(items)} if key else chunk
            if page * per < len(items):
                nxt = urllib.parse.urlencode({**query, "page": page + 1})
                headers["Link"] = f'<http://{seen.headers["Host"]}{parts.path}?{nxt}>; rel="next"'
        return Reply(status, json.dumps(body).encode(), {**headers, "Content-Type": "application/json"})


def timed(env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "sentinel" / "main.py")],
        check=False,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench: the gate failed:\n{result.stdout}{result.stderr}")
    return elapsed


def median(samples: list[float]) -> str:
    return f"{statistics.median(samples):.3f} s median, {min(samples):.3f} min (n={len(samples)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tags", type=int, default=2000)
    parser.add_argument("--api-tags", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SOVEREIGN_", "GH_"))}
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        repo = Path(temp) / "repo"
        build_repo(repo, args.tags)
        last = f"v{version(args.tags - 1)}"
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
        ).stdout
        env = {
            **base,
            "GITHUB_WORKSPACE": str(repo),
            "SOVEREIGN_TAG": last,
            "GITHUB_SHA": head.strip(),
            "SOVEREIGN_REQUIRE_BRANCH": "main",
            "SOVEREIGN_VERSION_FILES": "pyproject.toml",
        }
        local = [timed(env, repo) for _ in range(args.runs)]
        rows.append((f"local: {args.tags} tags, newer + commit + branch + version-files", median(local), "0"))

        fake = FakeGitHub(args.api_tags)
        empty = Path(temp) / "empty"
        empty.mkdir()
        with serve(fake.reply) as (url, script):
            env = {
                **base,
                "GITHUB_WORKSPACE": str(empty),
                "GITHUB_API_URL": url,
                "GITHUB_REPOSITORY": "o/r",
                "GITHUB_TOKEN": "bench-token-0000",
                "GITHUB_SHA": COMMIT,
                "SOVEREIGN_TAG": fake.latest,
                "SOVEREIGN_REQUIRE_BRANCH": "main",
                "SOVEREIGN_REQUIRE_SIGNED": "true",
                "SOVEREIGN_REQUIRE_NEWER": "false",  # previous-tag still found; ancestry by compare
                "SOVEREIGN_REQUIRED_CHECKS": "job 249, ci/119",
            }
            api = [timed(env, empty) for _ in range(args.runs)]
        per_run = len(script.seen) // args.runs
        rows.append(
            (f"api: {args.api_tags} tags, 250 check runs, 120 statuses, every API check", median(api), str(per_run))
        )
    print(
        f"`{' '.join(['python', 'bench/sentinel_gate.py', *sys.argv[1:]])}` on {platform.platform()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print("| gate | wall time (whole process) | GitHub requests per run |\n|---|---|---|")
    for name, result, requests in rows:
        print(f"| {name} | {result} | {requests} |")


if __name__ == "__main__":
    main()
