"""Local-git changelog speed and memory: Sovereign vs git-cliff on a generated 20,000-commit repository.

    python3 bench/changelog_local.py [--commits 20000] [--runs 5]

Needs git, the dev venv (.venv, for Sovereign's runtime deps) and git-cliff,
which this script installs from PyPI into /tmp/sovereign-bench/cliff-venv the
first time (``pip install git-cliff``). The repository is built once with
``git fast-import`` (merge, squash and direct commits, conventional messages,
a tag every 400 commits) and cached under /tmp/sovereign-bench.

Both tools get the same ranges in one run: the last 400-commit release
(vA..vB) and the whole history. Wall time is the median of --runs; peak memory
is the largest resident set of the process tree (getrusage of the children).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path("/tmp/sovereign-bench")
PYTHON = ROOT / ".venv" / "bin" / "python"
TYPES = ["feat", "fix", "fix", "docs", "refactor", "perf", "chore", "test", "ci", "build(deps)"]
SCOPES = ["", "api", "cli", "core", "ui", "parser"]


def message(rng: random.Random, i: int) -> str:
    kind = rng.choice(TYPES)
    scope = rng.choice(SCOPES)
    head = f"{kind}({scope})" if scope and "(" not in kind else kind
    bang = "!" if rng.random() < 0.005 else ""
    body = ""
    if rng.random() < 0.01:
        body += "\n\nBREAKING CHANGE: the old behaviour is gone."
    if rng.random() < 0.005:
        body += f"\n\nFixes CVE-2024-{10000 + i}."
    return f"{head}{bang}: change number {i} to the {scope or 'project'}{body}"


def generate(path: Path, commits: int, seed: int = 20_000) -> list[str]:
    """A repository of exactly ``commits`` commits; returns its tags in order."""
    rng = random.Random(seed)
    lines: list[str] = []
    mark = 0
    main_tip = 0
    count = 0
    tags: list[str] = []
    stamp = 1_600_000_000
    pr_number = 0
    branches: list[str] = []

    def commit(ref: str, msg: str, parent: int, merge: int = 0, author: str = "Dev <dev@example.com>") -> int:
        nonlocal mark, count, stamp
        mark += 1
        count += 1
        stamp += 60
        data = msg.encode()
        lines.append(f"commit {ref}\nmark :{mark}\n")
        lines.append(f"author {author} {stamp} +0000\ncommitter {author} {stamp} +0000\n")
        lines.append(f"data {len(data)}\n{msg}\n")
        if parent:
            lines.append(f"from :{parent}\n")
        if merge:
            lines.append(f"merge :{merge}\n")
        content = f"{count}\n".encode()
        lines.append(f"M 644 inline src/file{count % 97}.txt\ndata {len(content)}\n{count}\n\n")
        return mark

    main_tip = commit("refs/heads/main", "chore: initial commit", 0)
    while count < commits:
        left = commits - count
        roll = rng.random()
        if roll < 0.3 and left >= 3:  # a PR merged with a merge commit: two commits and the merge
            pr_number += 1
            branches.append(f"pr-{pr_number}")
            tip = main_tip
            for _ in range(2):
                tip = commit(
                    f"refs/heads/pr-{pr_number}", message(rng, count), tip, author="Contributor <c@example.com>"
                )
            msg = f"Merge pull request #{pr_number} from octo/pr-{pr_number}\n\n{message(rng, count)}"
            main_tip = commit("refs/heads/main", msg, main_tip, merge=tip)
        elif roll < 0.7:  # a squash merge
            pr_number += 1
            main_tip = commit("refs/heads/main", f"{message(rng, count).splitlines()[0]} (#{pr_number})", main_tip)
        else:  # a direct push
            main_tip = commit("refs/heads/main", message(rng, count), main_tip)
        if count // 400 > len(tags):
            tags.append(f"v0.{len(tags) + 1}.0")
            lines.append(f"reset refs/tags/{tags[-1]}\nfrom :{main_tip}\n\n")
    lines.append(f"reset refs/tags/whole-1.0.0\nfrom :{main_tip}\n\n")
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input="".join(lines).encode(), check=True)
    subprocess.run(["git", "-C", str(path), "reset", "-q", "--hard", "main"], check=True)
    subprocess.run(["git", "-C", str(path), "branch", "-q", "-D", *branches], check=True)
    return tags


def maintenance(repo: Path, picks: int = 90) -> None:
    """``maint-0.1.1``: a maintenance release forked at v0.1.0 with ``picks`` cherry-picks from main
    (``git cherry-pick -x``), and ``maint-1.0.0`` at the tip, whose previous release it is though not
    an ancestor: the whole history after v0.1.0, with every commit compared by patch (the range
    computation at its most expensive). Built once, beside the generated repository's own tags."""
    if git(repo, "tag", "--list", "maint-0.1.1"):
        return
    # Main's first-parent line, merges diffed against it (-m), so every change to a file is seen.
    log = git(repo, "log", "--reverse", "--first-parent", "-m", "--format=@%H %P", "--name-only", "v0.1.0..main")
    touched: set[str] = set()
    chosen: list[str] = []
    for block in log.split("@")[1:]:
        sha, *rest = block.split()
        files = [f for f in rest if f.startswith("src/")]
        if len(rest) - len(files) == 1 and not touched.intersection(files):
            chosen.append(sha)  # not a merge, and the first change of its file since the fork: picks cleanly
        touched.update(files)
        if len(chosen) == picks:
            break
    git(repo, "checkout", "-q", "-b", "maint-0.1.x", "v0.1.0")
    for sha in chosen:
        git(repo, "cherry-pick", "-x", sha)
    git(repo, "tag", "maint-0.1.1")
    git(repo, "tag", "maint-0.1.0", "v0.1.0")
    git(repo, "tag", "maint-1.0.0", "whole-1.0.0")
    git(repo, "checkout", "-q", "main")
    git(repo, "branch", "-q", "-D", "maint-0.1.x")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout.strip()


def cliff() -> Path:
    env_dir = WORK / "cliff-venv"
    binary = env_dir / "bin" / "git-cliff"
    if not binary.exists():
        venv.EnvBuilder(with_pip=True).create(env_dir)
        subprocess.run([str(env_dir / "bin" / "pip"), "install", "-q", "git-cliff"], check=True)
    return binary


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one run, measured from a fresh helper process."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "e = time.perf_counter() - t\n"
        "assert r.returncode == 0, r.returncode\n"
        "print(e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{out.stderr}")
    seconds, rss_kib = out.stdout.split()
    return float(seconds), int(rss_kib) // 1024


def bench(name: str, argv: list[str], cwd: Path, runs: int, env: dict[str, str]) -> dict[str, float]:
    measure(argv, cwd, env)  # warm the page cache
    samples = [measure(argv, cwd, env) for _ in range(runs)]
    result = {
        "median": statistics.median(s[0] for s in samples),
        "min": min(s[0] for s in samples),
        "rss": max(s[1] for s in samples),
    }
    print(
        f"  {name:<40} median {result['median']:.3f}s  min {result['min']:.3f}s  peak {result['rss']:.0f} MiB",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    repo = WORK / f"repo-{args.commits}"
    if not (repo / ".git").exists():
        started = time.perf_counter()
        generate(repo, args.commits)
        print(f"generated {repo} in {time.perf_counter() - started:.1f}s")
    maintenance(repo)
    tags = git(repo, "tag", "--list", "v*", "--sort=v:refname").split()
    small_from, small_to = tags[-2], tags[-1]

    def count(rev: str) -> str:
        return git(repo, "rev-list", "--count", rev)

    binary = cliff()
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SOVEREIGN_"))}
    env.update(GITHUB_WORKSPACE=str(repo))
    sovereign = [
        str(PYTHON),
        str(ROOT / "changelog" / "main.py"),
        "--repository",
        "octo/bench",
        "--source",
        "git",
        "--artifacts-dir",
        ".bench-out",
    ]
    print(f"{version}; Python {sys.version.split()[0]}; git {git(repo, '--version').split()[-1]}")
    print(f"range {small_from}..{small_to}: {count(f'{small_from}..{small_to}')} commits")
    bench("sovereign (400-commit release)", [*sovereign, "--tag", small_to], repo, args.runs, env)
    bench(
        "git-cliff (400-commit release)",
        [str(binary), "--offline", "--no-exec", "--tag", small_to, f"{small_from}..{small_to}"],
        repo,
        args.runs,
        env,
    )
    print(f"whole history: {count('whole-1.0.0')} commits")
    bench("sovereign (whole history)", [*sovereign, "--tag", "whole-1.0.0"], repo, args.runs, env)
    bench(
        "git-cliff (whole history)",
        [str(binary), "--offline", "--no-exec", "--tag", "whole-1.0.0"],
        repo,
        args.runs,
        env,
    )
    span = "maint-0.1.1..maint-1.0.0"
    print(f"previous release on a maintenance branch, {span}: {count(span)} commits, 90 cherry-picked")
    bench("sovereign (whole history, branch previous)", [*sovereign, "--tag", "maint-1.0.0"], repo, args.runs, env)
    bench(
        "git-cliff (whole history, branch previous)",
        [str(binary), "--offline", "--no-exec", "--tag", "maint-1.0.0", span],
        repo,
        args.runs,
        env,
    )


if __name__ == "__main__":
    main()
