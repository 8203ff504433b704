"""Run an action.yml the way the GitHub runner runs a composite action.

* inputs reach steps only through each step's explicit ``env:`` mapping: no
  ``INPUT_*`` variables exist (composite actions get none);
* ``${{ inputs.* }}``, ``${{ github.* }}``, ``${{ steps.<id>.outputs.* }}``,
  ``${{ env.* }}`` and ``${{ runner.* }}`` are evaluated, with ``||``, ``&&``,
  ``==``, ``!=``, ``!`` and ``always()/success()/failure()``;
* every ``run:`` step is executed with ``bash --noprofile --norc -eo pipefail``,
  its ``GITHUB_OUTPUT`` file parsed (``k=v`` and heredoc form), its
  ``GITHUB_STEP_SUMMARY`` collected; after the first failing step (unless it
  says ``continue-on-error``) only ``if: always()``/``failure()`` steps run, and
  the action exits with that first step's code;
* the bootstrap step really runs: RUNNER_TEMP is shared by a test session, so
  the first action creates the venv and the others reuse it, as in one job;
* ``uses: actions/cache/restore@<sha>`` and ``actions/cache/save@<sha>`` (the
  only ``uses:`` steps allowed, pinned by full SHA) work on a cache store, a
  folder that outlives one run (see :class:`CacheStore`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>\|\||&&|==|!=|!|\(|\)|,)|(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*))"
)


class ExpressionError(Exception):
    pass


def _truthy(value: Any) -> bool:
    return value not in (None, "", False, 0)


class _Parser:
    """Recursive descent over GitHub's expression syntax (the part we use)."""

    def __init__(self, text: str, context: dict[str, Any], status: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise ExpressionError(f"cannot parse expression near {text[pos:]!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.i = 0
        self.context = context
        self.status = status

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()}")
        return value

    def or_(self) -> Any:
        left = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            left = left if _truthy(left) else right
        return left

    def and_(self) -> Any:
        left = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.cmp()
            left = right if _truthy(left) else left
        return left

    def cmp(self) -> Any:
        left = self.unary()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            right = self.unary()
            same = str(left).lower() == str(right).lower()
            left = same if op == "==" else not same
        return left

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not _truthy(self.unary())
        return self.atom()

    def atom(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if (kind, text) == ("op", "("):
            value = self.or_()
            self.take()
            return value
        if kind == "name":
            if self.peek() == ("op", "("):
                self.take()
                args = []
                while self.peek() != ("op", ")"):
                    args.append(self.or_())
                    if self.peek() == ("op", ","):
                        self.take()
                self.take()
                return self.call(text, args)
            if text in ("true", "false"):
                return text == "true"
            if text == "null":
                return None
            return self.lookup(text)
        raise ExpressionError(f"unexpected token {text!r}")

    def call(self, name: str, args: list[Any]) -> Any:
        if name == "always":
            return True
        if name == "success":
            return self.status == "success"
        if name == "failure":
            return self.status == "failure"
        if name == "contains":
            return str(args[1]).lower() in str(args[0]).lower()
        if name == "format":
            return re.sub(r"\{(\d+)\}", lambda m: str(args[int(m.group(1)) + 1]), str(args[0]))
        raise ExpressionError(f"function {name}() is not supported by the harness")

    def lookup(self, dotted: str) -> Any:
        value: Any = self.context
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
            if value is None:
                return ""
        return value


def evaluate(text: str, context: dict[str, Any], status: str = "success") -> str:
    """Substitute every ``${{ … }}`` in ``text``, as the runner does."""

    def one(match: re.Match[str]) -> str:
        value = _Parser(match.group(1), context, status).parse()
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    return _EXPR.sub(one, text)


def evaluate_condition(text: str, context: dict[str, Any], status: str) -> bool:
    expr = text.strip()
    if expr.startswith("${{") and expr.endswith("}}"):
        expr = expr[3:-2]
    if not re.search(r"\b(always|success|failure|cancelled)\(", expr):
        expr = f"success() && ({expr})"
    return _truthy(_Parser(expr, context, status).parse())


def parse_command_file(path: Path) -> dict[str, str]:
    """A GITHUB_OUTPUT/GITHUB_ENV file: ``k=v`` lines and ``k<<DELIM`` heredocs."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            body: list[str] = []
            i += 1
            while i < len(lines) and lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise AssertionError(f"heredoc {delimiter!r} for {key!r} is never closed in {path}")
            values[key] = "\n".join(body)
        elif line:
            key, _, value = line.partition("=")
            values[key] = value
        i += 1
    return values


_CACHE_ACTION = re.compile(r"actions/cache/(restore|save)@[0-9a-f]{40}")


@dataclass
class CacheStore:
    """The Actions cache as actions/cache v4 uses it, in a folder: entries are
    immutable (saving an existing key is a warning and a no-op), a restore tries
    the exact key, then each restore-key as a prefix, newest first; an entry is
    only found with the same ``path`` input (it is part of the cache version).
    Files are kept relative to the workspace, so a new runner gets them back."""

    root: Path

    def _entries(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.root.glob("*/entry.json"))]

    @staticmethod
    def invalid(keys: list[str]) -> str:
        """actions/cache's key validation: the error it gives, or ""."""
        bad = next((k for k in keys if "," in k or len(k) > 512), None)
        return "" if bad is None else f"Key Validation Error: {bad} cannot contain commas or exceed 512 characters."

    def save(self, key: str, paths: list[str], workspace: Path) -> str:
        """The log line the real action prints (a save never fails the step)."""
        if self.invalid([key]):
            return f"::warning::{self.invalid([key])}"
        if any(e["key"] == key and e["version"] == paths for e in self._entries()):
            return f"::warning::Failed to save: Unable to reserve cache with key {key}, another job may be creating this cache."
        files = [
            f
            for raw in paths
            for found in [workspace / raw]
            for f in ([found] if found.is_file() else sorted(x for x in found.rglob("*") if x.is_file()))
        ]
        if not files:
            return (
                "::warning::Path Validation Error: Path(s) specified in the action for caching do(es) not exist, "
                "hence no cache is being saved."
            )
        self.root.mkdir(parents=True, exist_ok=True)
        entry = self.root / f"{len(list(self.root.iterdir())):04d}"
        for file in files:
            target = entry / "files" / os.path.relpath(file, workspace)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
        (entry / "entry.json").write_text(json.dumps({"key": key, "version": paths}), encoding="utf-8")
        return f"Cache saved with key: {key}"

    def restore(self, key: str, restore_keys: list[str], paths: list[str], workspace: Path) -> dict[str, str]:
        """The step's outputs; the files are put back under ``workspace``."""
        outputs = {"cache-primary-key": key}
        entries = [(i, e) for i, e in enumerate(self._entries()) if e["version"] == paths]
        exact = [i for i, e in entries if e["key"] == key]
        found = exact or next(
            (hits for prefix in restore_keys if (hits := [i for i, e in entries if e["key"].startswith(prefix)])), []
        )
        if not found:
            return outputs  # cache-hit is left unset on a miss, as actions/cache does
        chosen = sorted(self.root.glob("*/entry.json"))[max(found)].parent
        for file in (chosen / "files").rglob("*"):
            if file.is_file():
                target = Path(os.path.normpath(workspace / file.relative_to(chosen / "files")))
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, target)
        matched = json.loads((chosen / "entry.json").read_text(encoding="utf-8"))["key"]
        return {**outputs, "cache-hit": "true" if exact else "false", "cache-matched-key": matched}


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _cache_step(
    step: dict[str, Any], context: dict[str, Any], status: str, cache: CacheStore, workspace: Path
) -> tuple[dict[str, str], str, int]:
    """Run an actions/cache/restore or /save step: (its outputs, its log, its exit code)."""
    match = _CACHE_ACTION.fullmatch(str(step["uses"]))
    if not match:
        raise NotImplementedError(f"the harness runs only SHA-pinned actions/cache steps, not {step['uses']}")
    given = {k: evaluate(str(v), context, status) for k, v in (step.get("with") or {}).items()}
    paths = _lines(given["path"])
    if match.group(1) == "save":
        return {}, cache.save(given["key"], paths, workspace) + "\n", 0
    restore_keys = _lines(given.get("restore-keys", ""))
    invalid = cache.invalid([given["key"], *restore_keys])
    if invalid:  # the one case where a restore fails its step
        return {}, f"::error::{invalid}\n", 1
    outputs = cache.restore(given["key"], restore_keys, paths, workspace)
    matched = outputs.get("cache-matched-key")
    log = f"Cache restored from key: {matched}" if matched else f"Cache not found for input keys: {given['key']}"
    return outputs, log + "\n", 0


@dataclass
class ActionResult:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    steps: dict[str, dict[str, str]]
    summary: str
    env_file: dict[str, str] = field(default_factory=dict)
    path_file: str = ""

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("::error")]

    @property
    def log(self) -> str:
        return self.stdout + self.stderr


def base_env(runner_temp: Path, workspace: Path) -> dict[str, str]:
    keep = (
        "PATH",
        "HOME",
        "LANG",
        "SYSTEMROOT",
        "TMPDIR",
        "PIP_INDEX_URL",
        "PIP_EXTRA_INDEX_URL",
        "PIP_FIND_LINKS",
        "PIP_CERT",
        "SSL_CERT_FILE",
        "REQUESTS_CA_BUNDLE",
    )
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        GITHUB_ACTIONS="true",
        CI="true",
        RUNNER_OS="Linux",
        RUNNER_TEMP=str(runner_temp),
        GITHUB_WORKSPACE=str(workspace),
    )
    return env


def run_action(
    action: str | Path,
    inputs: dict[str, str] | None = None,
    *,
    workspace: Path,
    runner_temp: Path,
    github: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    cache: Path | None = None,
) -> ActionResult:
    """Run ``<action>/action.yml`` (a folder under the repository root, or a path).

    ``cache`` is the Actions cache's folder: pass the same one to runs that
    stand for attempts of one workflow run (default: next to the workspace)."""
    action_dir = Path(action) if Path(action).is_absolute() else ROOT / action
    spec = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
    assert spec["runs"]["using"] == "composite", "the harness runs composite actions"
    declared = spec.get("inputs") or {}
    unknown = set(inputs or {}) - set(declared)
    assert not unknown, f"inputs not declared in {action}/action.yml: {sorted(unknown)}"

    github_ctx = {
        "repository": "octo/widget",
        "server_url": "https://github.com",
        "api_url": "https://api.github.com",
        "graphql_url": "https://api.github.com/graphql",
        "run_id": "4242",
        "run_attempt": "1",
        "token": "",
        "workspace": str(workspace),
        "action_path": str(action_dir),
        **(github or {}),
    }
    job_env = base_env(runner_temp, workspace)
    job_env.update(
        GITHUB_REPOSITORY=github_ctx["repository"],
        GITHUB_SERVER_URL=github_ctx["server_url"],
        GITHUB_API_URL=github_ctx["api_url"],
        GITHUB_GRAPHQL_URL=github_ctx["graphql_url"],
        GITHUB_RUN_ID=github_ctx["run_id"],
        GITHUB_RUN_ATTEMPT=github_ctx["run_attempt"],
    )
    for key in ("ref", "ref_name", "sha"):
        if key in github_ctx:
            job_env[f"GITHUB_{key.upper()}"] = github_ctx[key]
    job_env.update(env or {})

    context: dict[str, Any] = {
        "github": github_ctx,
        "env": job_env,
        "runner": {"temp": str(runner_temp), "os": "Linux"},
        "steps": {},
    }
    input_values = {}
    for name, meta in declared.items():
        default = str((meta or {}).get("default", ""))
        input_values[name] = (inputs or {}).get(name, evaluate(default, context))
    context["inputs"] = input_values

    files = runner_temp / "_runner_files"
    files.mkdir(parents=True, exist_ok=True)
    env_file, path_file = files / "env", files / "path"
    env_file.write_text("")
    path_file.write_text("")
    stdout, stderr, summary = [], [], []
    status, code = "success", 0
    store = CacheStore(cache or workspace.parent / "actions-cache")
    for index, step in enumerate(spec["runs"]["steps"]):
        # After a failure only the steps whose if: says always() or failure() still run.
        if not evaluate_condition(str(step.get("if", "success()")), context, status):
            continue
        if "uses" in step:
            step_outputs, log, returncode = _cache_step(step, context, status, store, workspace)
            stdout.append(log)
            if "id" in step:
                outcome = "success" if returncode == 0 else "failure"
                context["steps"][step["id"]] = {"outputs": step_outputs, "outcome": outcome}
            if returncode != 0 and not step.get("continue-on-error") and status == "success":
                status, code = "failure", returncode
            continue
        output, step_summary = files / f"output-{index}", files / f"summary-{index}"
        output.write_text("")
        step_summary.write_text("")
        step_env = dict(job_env)
        step_env.update(
            GITHUB_ACTION_PATH=str(action_dir),
            GITHUB_OUTPUT=str(output),
            GITHUB_STEP_SUMMARY=str(step_summary),
            GITHUB_ENV=str(env_file),
            GITHUB_PATH=str(path_file),
        )
        for key, value in (step.get("env") or {}).items():
            step_env[key] = evaluate(str(value), context, status)
        assert not any(k.startswith("INPUT_") for k in step_env), "composite actions get no INPUT_* variables"
        assert step.get("shell") == "bash", "every run step must say shell: bash"
        script = files / f"step-{index}.sh"
        script.write_text(evaluate(str(step["run"]), context, status), encoding="utf-8")
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=step_env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        stdout.append(proc.stdout)
        stderr.append(proc.stderr)
        summary.append(step_summary.read_text(encoding="utf-8"))
        if "id" in step:
            context["steps"][step["id"]] = {
                "outputs": parse_command_file(output),
                "outcome": "success" if proc.returncode == 0 else "failure",
            }
        if proc.returncode != 0 and not step.get("continue-on-error") and status == "success":
            status, code = "failure", proc.returncode
    outputs = {
        name: evaluate(str(meta.get("value", "")), context, status)
        for name, meta in (spec.get("outputs") or {}).items()
    }
    return ActionResult(
        returncode=code,
        stdout="".join(stdout),
        stderr="".join(stderr),
        outputs=outputs,
        steps={k: v["outputs"] for k, v in context["steps"].items()},
        summary="".join(summary),
        env_file=parse_command_file(env_file),
        path_file=path_file.read_text(),
    )
