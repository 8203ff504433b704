#!/usr/bin/env python3
"""Sovereign's two front-door commands; needs only Python 3.10+ and git.

    python3 tasks.py demo   # the ritual, dry-run, on a sample repository it builds
    python3 tasks.py test   # every static check and the whole test suite
    python3 tasks.py verify # write docs/verification-log.md from a real run (operators' record)

``test`` keeps a development venv in .venv (rebuilt when requirements change);
``demo`` uses the same bootstrap as the actions (a private venv, hashed lock).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
REQUIREMENTS = [ROOT / "requirements" / "runtime.txt", ROOT / "requirements" / "dev.txt", ROOT / "pyproject.toml"]


def sh(*args: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=False)
    if check and result.returncode != 0:
        sys.exit(result.returncode)
    return result.returncode


def dev_venv() -> None:
    """Create or refresh .venv with the runtime lock, the dev tools and sovereign itself."""
    stamp = VENV / ".sovereign-dev"
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in REQUIREMENTS)).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("tasks: preparing the development venv in .venv …", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    sh(*pip, "--require-hashes", "--no-deps", "--only-binary=:all:", "-r", REQUIREMENTS[0])
    sh(*pip, "-r", REQUIREMENTS[1])
    sh(*pip, "--no-deps", "-e", ".")
    stamp.write_text(digest)


def action_files() -> list[Path]:
    return sorted(ROOT.glob("*/action.yml")) + ([ROOT / "action.yml"] if (ROOT / "action.yml").exists() else [])


def workflow_files() -> list[Path]:
    return sorted((ROOT / ".github" / "workflows").glob("*.yml")) + sorted((ROOT / "examples").rglob("*.yml"))


def test(pytest_args: list[str]) -> int:
    dev_venv()
    tool = lambda name: BIN / name  # noqa: E731
    actions = [str(p.relative_to(ROOT)) for p in action_files()]
    workflows = [str(p.relative_to(ROOT)) for p in workflow_files()]
    python_files = [
        "src",
        "tests",
        "bench",
        "bootstrap",
        "scripts",
        "tasks.py",
        *(str(p.relative_to(ROOT)) for p in ROOT.glob("*main.py")),
        *(str(p.relative_to(ROOT)) for p in ROOT.glob("*/main.py")),
    ]
    checks: list[tuple[str, list[str | Path]]] = [
        ("ruff", [tool("ruff"), "check", *python_files]),
        ("ruff format", [tool("ruff"), "format", "--check", *python_files]),
        ("mypy --strict", [tool("mypy"), "--strict", "src"]),
        ("import rules", [tool("lint-imports"), "--no-logo", "--no-cache"]),
        (
            "zizmor",
            [tool("zizmor"), "--offline", "--no-progress", ".", *(w for w in workflows if w.startswith("examples"))],
        ),
        (
            "zizmor auditor",
            [tool("zizmor"), "--offline", "--no-progress", "--persona", "auditor", *actions, *workflows],
        ),
        ("action schema", [tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", *actions]),
    ]
    if workflows:
        checks.append(
            ("workflow schema", [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *workflows])
        )
    if shutil.which("shellcheck"):
        checks.append(
            ("shellcheck", ["shellcheck", *sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("*/*.sh")), ".ci/run"])
        )
    failed = []
    for name, command in checks:
        print(f"\n=== {name}", flush=True)
        if sh(*command, check=False) != 0:
            failed.append(name)
    print("\n=== pytest", flush=True)
    code = sh(tool("python"), "-m", "pytest", *pytest_args, check=False)
    if failed:
        print(f"\ntasks: static checks failed: {', '.join(failed)}", flush=True)
        return 1
    return code


def git(repo: Path, *args: str, when: int) -> None:
    stamp = f"@{when} +0000"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


SAMPLE_HISTORY: list[tuple[str, str | None]] = [
    ("feat: first public API", "v1.0.0"),
    ("fix(parser): accept empty input", None),
    ("feat(cli)!: rename --out to --output\n\nBREAKING CHANGE: --out is gone.", None),
    ("fix(deps): bump urllib3 for CVE-2026-1234 (GHSA-abcd-efgh-ijkl)", None),
    ("docs: explain the release ritual", None),
    ("perf: cache compiled patterns", "v1.1.0-rc.1"),
    ("chore(release): prepare 1.1.0", "v1.1.0"),
]


def sample_repository(path: Path) -> Path:
    """A small repository with conventional commits, a breaking and a security change."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    when = 1_767_225_600  # 2026-01-01
    git(path, "init", "-q", "-b", "main", when=when)
    git(path, "config", "user.name", "Demo Maintainer", when=when)
    git(path, "config", "user.email", "maintainer@example.com", when=when)
    git(path, "config", "commit.gpgsign", "false", when=when)
    for i, (message, tag) in enumerate(SAMPLE_HISTORY):
        when += 86_400
        (path / "CHANGES.txt").write_text(f"change {i}\n", encoding="utf-8")
        (path / "VERSION").write_text((tag or "v0.0.0")[1:] + "\n", encoding="utf-8")
        git(path, "add", "-A", when=when)
        git(path, "commit", "-q", "-m", message, when=when)
        if tag:
            git(path, "tag", tag, when=when)
    return path


DEMO_TAG = "v1.1.0"
DEMO_GRAFANA_TOKEN = "demo-token-for-the-stand-in"  # noqa: S105 - not a secret: the stand-in takes any token


def demo() -> int:
    """The ritual in dry-run on a sample repository: no secrets, nothing sent. The Grafana
    stages read from a local stand-in of Grafana's API (scripts/grafana_standin.py)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from grafana_standin import SAYS, serve  # noqa: PLC0415 - the demo alone needs it

    started = time.monotonic()
    sample = sample_repository(ROOT / ".demo" / "sample-repo")
    print(f"tasks: sample repository with {len(SAMPLE_HISTORY)} commits at {sample}", flush=True)
    runner_temp = ROOT / ".demo" / "runner-temp"
    runner_temp.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOVEREIGN_", "GITHUB_", "INPUT_"))}
    env.update(RUNNER_TEMP=str(runner_temp), GITHUB_WORKSPACE=str(sample), GITHUB_REPOSITORY="example/sample")
    boot = subprocess.run(
        [sys.executable, str(ROOT / "bootstrap" / "bootstrap.py")], env=env, capture_output=True, text=True, check=False
    )
    print(boot.stdout.splitlines()[0] if boot.stdout else boot.stderr, flush=True)
    if boot.returncode != 0:
        return boot.returncode
    python = boot.stdout.strip().splitlines()[-1].removeprefix("python=")
    artifacts = sample / "sovereign-artifacts"
    shutil.rmtree(artifacts, ignore_errors=True)  # the summary below describes this run only
    with serve() as grafana:
        uid = str(grafana.dashboard["dashboard"]["uid"])
        print(f"tasks: Grafana at {grafana.base} is {SAYS}", flush=True)
        env.update(SOVEREIGN_GRAFANA_API_KEY=DEMO_GRAFANA_TOKEN, NO_PROXY="127.0.0.1,localhost")
        flags = ["--tag", DEMO_TAG, "--dry-run", "--grafana-url", grafana.base, "--dashboard-uid", uid]
        print(f"\n=== main.py {' '.join(flags)}", flush=True)
        code = subprocess.run([python, str(ROOT / "main.py"), *flags], cwd=sample, env=env, check=False).returncode
    if code != 0:
        return code
    print(f"\ntasks: demo finished in {time.monotonic() - started:.1f} s; artifacts in {artifacts}")
    for file in sorted(artifacts.glob("*")) if artifacts.exists() else []:
        print(f"  {file.relative_to(ROOT)}")
    print("\nWhat each stage did (dry-run: nothing was sent, nothing was created):")
    for stage, line in stage_summaries(artifacts, DEMO_TAG):
        print(f"  {stage:<17}{line}")
    preview = artifacts / f"preview-{DEMO_TAG}.html"
    if preview.exists():
        print(f"\ntasks: preview of what people will see: {preview}  (open it in a browser)")
    return 0


def _artifact(artifacts: Path, kind: str, tag: str) -> dict[str, Any]:
    try:
        data = json.loads((artifacts / f"{kind}-{tag}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def stage_summaries(artifacts: Path, tag: str) -> list[tuple[str, str]]:
    """One plain sentence per stage, read from the files the stages wrote."""
    lines: list[tuple[str, str]] = []
    checks = _artifact(artifacts, "sentinel", tag).get("checks") or []
    if checks:
        count = {r: sum(c.get("result") == r for c in checks) for r in ("pass", "fail", "skip")}
        lines.append(
            (
                "sentinel",
                f"{count['pass']} checks passed, {count['fail']} failed, {count['skip']} skipped (each says why above)",
            )
        )
    stats = _artifact(artifacts, "changelog", tag).get("stats") or {}
    if stats:
        lines.append(
            (
                "changelog",
                f"{stats.get('commits')} commits -> {stats.get('entries')} release-note entries "
                f"({stats.get('breaking')} breaking, {stats.get('security')} security, {stats.get('excluded')} left out)",
            )
        )
    push = _artifact(artifacts, "grafana-push", tag)
    if push:
        note, metrics = push.get("annotation") or {}, push.get("metrics") or {}
        lines.append(
            (
                "grafana-push",
                f"annotation: {note.get('action', 'off')} ({note.get('method', '')} {note.get('url', '')}); "
                f"{metrics.get('count', 0)} release metrics as {metrics.get('format', '-')}, not pushed",
            )
        )
    snapshot = _artifact(artifacts, "grafana-snapshot", tag)
    if snapshot:
        panels = snapshot.get("panels") or []
        embedded = sum(p.get("status") == "embedded" for p in panels)
        skipped = sum(p.get("status") == "skipped" for p in panels)
        lines.append(
            (
                "grafana-snapshot",
                f"{embedded} of {len(panels)} panels captured with their data, {skipped} kept without data "
                "(the warnings above say why); the snapshot was not created",
            )
        )
    channels = _artifact(artifacts, "notify", tag).get("channels") or []
    if channels:
        sizes = ", ".join(
            f"{c.get('channel')} ({len(json.dumps(c.get('payload'), ensure_ascii=False, separators=(',', ':')).encode()):,} bytes)"
            for c in channels
        )
        lines.append(("notify", f"{len(channels)} messages ready, not sent: {sizes}"))
    return lines


def verify() -> int:
    """Write docs/verification-log.md from a real test run and a real demo run."""
    import datetime as dt  # noqa: PLC0415 - only this command needs them
    import xml.etree.ElementTree as ET  # noqa: PLC0415 - parsing our own pytest report

    dev_venv()
    report = ROOT / ".demo" / "junit.xml"
    report.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    code = sh(BIN / "python", "-m", "pytest", "-q", f"--junitxml={report}", check=False)
    duration = time.monotonic() - started
    suite = ET.parse(report).getroot()  # noqa: S314 - our own file
    suite = suite if suite.tag == "testsuite" else suite[0]
    total, failures = int(suite.get("tests", 0)), int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    demo_run = subprocess.run([sys.executable, __file__, "demo"], capture_output=True, text=True, check=False)
    lines = [line.replace(str(ROOT) + os.sep, "") for line in demo_run.stdout.splitlines() if not line.startswith("::")]
    excerpt = "\n".join(line if len(line) <= 160 else line[:159] + "…" for line in lines)
    text = f"""# Verification log

Produced by `python3 tasks.py verify` — not filled in by hand.

- **Test Run Date:** {dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
- **Test Suite:** `python3 tasks.py test` (pytest part: `.venv/bin/python -m pytest`)
- **Summary:**
  - Passed: {total - failures - skipped}
  - Failed: {failures}
  - Skipped: {skipped}
  - Duration: {duration:.0f} seconds
- **Demo:** `python3 tasks.py demo` exited {demo_run.returncode}

**Key excerpts** (the demo: the ritual in dry-run on the sample repository):

```
{excerpt}
```
"""
    target = ROOT / "docs" / "verification-log.md"
    target.write_text(text, encoding="utf-8")
    print(f"tasks: wrote {target.relative_to(ROOT)}")
    return code or demo_run.returncode


def main() -> int:
    command, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command == "test":
        return test(rest)
    if command == "demo":
        return demo()
    if command == "verify":
        return verify()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
