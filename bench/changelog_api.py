"""API-mode changelog: requests and time for N = 500 and N = 5,000 commits against a slow local GitHub.

    python3 bench/changelog_api.py [--latency 0.05]

Uses the repository bench/changelog_local.py generates (run that first). A
local HTTP server on a real loopback socket plays GitHub's GraphQL endpoint: it
counts requests, waits --latency seconds before each answer, and answers
``associatedPullRequests`` from the repository's own merge and squash messages
(the commits a merge brought in belong to its PR). Sovereign runs in
``source: auto`` (local history, pull requests from the API), as in a normal
release job. The request counts are compared with release-drafter's (about
N/15: it pages merged PRs 15 at a time with their commits) and a per-commit
lookup (N).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # localserver: the scripted loopback server the tests use

from localserver import Reply, Seen, serve  # noqa: E402

from sovereign.gitrepo import GitRepo  # noqa: E402
from sovereign.notes.collect import log, prs_from_messages  # noqa: E402
from sovereign.notes.group import introducers  # noqa: E402

REPO = Path("/tmp/sovereign-bench/repo-20000")
PYTHON = ROOT / ".venv" / "bin" / "python"
_ALIAS = re.compile(r'(c\d+): object\(oid: "([0-9a-f]{40})"\)')


def pr_table(repo: GitRepo, tip: str) -> dict[str, dict[str, Any]]:
    """Each commit's PR node, as GitHub would report it."""
    commits = log(repo, tip, None)
    by_message = prs_from_messages(commits, "https://github.com/octo/bench/pull")
    owner = introducers(commits, tip)
    table: dict[str, dict[str, Any]] = {}
    for commit in commits:
        pr = by_message.get(commit.sha) or by_message.get(owner.get(commit.sha, ""))
        if pr:
            table[commit.sha] = {
                "number": pr.number,
                "title": pr.title,
                "merged": True,
                "body": "",
                "author": {"login": "contributor"},
                "labels": {"nodes": [{"name": "enhancement"}]},
                "mergeCommit": {"oid": pr.merge_commit},
            }
    return table


def graphql(table: dict[str, dict[str, Any]], latency: float) -> Callable[[Seen], Reply]:
    """GitHub's GraphQL endpoint: each aliased commit's PR, answered after ``latency`` seconds."""

    def reply(seen: Seen) -> Reply:
        query = json.loads(seen.body)["query"]
        data = {
            alias: {"associatedPullRequests": {"nodes": [table[sha]] if sha in table else []}}
            for alias, sha in _ALIAS.findall(query)
        }
        payload = json.dumps({"data": {"repository": data}}).encode()
        headers = {"Content-Type": "application/json", "x-ratelimit-remaining": "5000"}
        return Reply(200, payload, headers, delay=latency)

    return reply


def tag_back(repo: GitRepo, tip: str, wanted: int) -> tuple[str, int]:
    """A first-parent ancestor of ``tip`` with about ``wanted`` commits after it; tagged bench-n<wanted>."""
    chain = repo.text("rev-list", "--first-parent", tip).split()
    low, high = 0, len(chain) - 1
    while low < high:
        mid = (low + high) // 2
        if int(repo.text("rev-list", "--count", f"{chain[mid]}..{tip}")) < wanted:
            low = mid + 1
        else:
            high = mid
    name = f"bench-n{wanted}"
    repo.run("tag", "-f", name, chain[low])
    return name, int(repo.text("rev-list", "--count", f"{chain[low]}..{tip}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    if not (REPO / ".git").exists():
        raise SystemExit("run bench/changelog_local.py first: it generates the repository")
    repo = GitRepo(REPO)
    tip = repo.text("rev-parse", "v0.50.0^{commit}")
    print(
        f"latency {args.latency * 1000:.0f} ms per request; repository of {repo.text('rev-list', '--count', tip)} commits"
    )
    print(
        "| N commits | P PRs | budget ceil(N/100)+ceil(P/100)+5 | Sovereign requests | Sovereign wall time | release-drafter ≈ N/15 | per-commit lookup N |"
    )
    print("|---|---|---|---|---|---|---|")
    with serve(graphql(pr_table(repo, tip), args.latency)) as (url, script):
        for wanted in (500, 5000):
            previous, n = tag_back(repo, tip, wanted)
            script.seen.clear()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SOVEREIGN_"))}
            env.update(GITHUB_WORKSPACE=str(REPO), GITHUB_API_URL=url, GITHUB_GRAPHQL_URL=url + "/graphql")
            argv = [str(PYTHON), str(ROOT / "changelog" / "main.py"), "--repository", "octo/bench", "--tag", "v0.50.0"]
            argv += ["--previous-tag", previous, "--token", "bench-token", "--artifacts-dir", ".bench-out"]
            started = time.perf_counter()
            result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            elapsed = time.perf_counter() - started
            if result.returncode != 0:
                raise SystemExit(result.stdout + result.stderr)
            doc = json.loads((REPO / ".bench-out" / "changelog-v0.50.0.json").read_text())
            p = doc["stats"]["prs"]
            budget = math.ceil(n / 100) + math.ceil(p / 100) + 5
            drafter, per_commit = math.ceil(n / 15), n
            print(
                f"| {n} | {p} | {budget} | {len(script.seen)} | {elapsed:.2f} s | {drafter} (≥ {drafter * args.latency:.1f} s) "
                f"| {per_commit} (≥ {per_commit * args.latency:.1f} s) |"
            )


if __name__ == "__main__":
    main()
