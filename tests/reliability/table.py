"""The reliability tables as data: the same rows drive the tests and docs/reliability.md.

Each fault-matrix cell is (adapter, fault) with its expected outcome, derived from
three facts about the adapter: its HTTP method class (an idempotent read, a
read-only query sent as POST, or a write that must never be sent twice), its
family (whose error words it speaks) and what success looks like to it.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass

from localserver import Reply

RETRIES = 3  # sovereign.http.RETRIES: at most 1 + 3 requests per call
WAIT_CAP = 30.0  # sovereign.http.RETRY_AFTER_MAX: the longest single wait
TOTAL_WAIT_CAP = RETRIES * WAIT_CAP  # so one call never waits longer than 90 s in all

# nodeid -> "passed" | "failed" | "skipped", filled by conftest.py as the tests of this folder run
OUTCOMES: dict[str, str] = {}

JSON = {"Content-Type": "application/json"}
HTML_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"


@dataclass(frozen=True)
class Adapter:
    key: str
    title: str  # how the doc names it
    kind: str  # "read" (idempotent), "query" (read-only POST, retried), "write" (POST, never resent after sending)
    family: str  # "github", "grafana", "metrics", "webhook"
    ok: Reply  # what a healthy server answers
    label: str = ""  # the words the adapter's messages use for the service (webhooks: the platform)
    lost: str = ""  # a write that finds its object on a re-run: what its error says when the answer is lost


@dataclass(frozen=True)
class Fault:
    key: str
    title: str
    script: Callable[[Reply], list[Reply]]  # the server's replies, given the adapter's healthy reply
    github_only: bool = False
    refused: bool = False  # no server listens at all
    short_timeout: bool = False  # the client's read timeout is cut to READ_TIMEOUT for this cell


@dataclass(frozen=True)
class Expect:
    ok: bool
    requests: int
    message: str  # a substring of the error (or of the webhook result's detail); "" when ok
    lost: str = ""  # a second substring: the answer to a write was lost, which may have landed
    waits: tuple[float, ...] | None = None  # exact waits asserted, when the cell is about waiting


READ_TIMEOUT = 0.3
SLOW = 0.6  # the server's delay in the read-timeout cell, longer than READ_TIMEOUT


def _date_in(seconds: int) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


FAULTS: tuple[Fault, ...] = (
    Fault("429-seconds", "429, Retry-After: 2", lambda ok: [Reply(429, b"{}", {**JSON, "Retry-After": "2"}), ok]),
    Fault(
        "429-date",
        "429, Retry-After as an HTTP date (+10 s)",
        lambda ok: [Reply(429, b"{}", {**JSON, "Retry-After": _date_in(10)}), ok],
    ),
    Fault("429-none", "429, no Retry-After", lambda ok: [Reply(429, b"{}", JSON), ok]),
    Fault(
        "429-absurd", "429, Retry-After: 86400", lambda ok: [Reply(429, b"{}", {**JSON, "Retry-After": "86400"}), ok]
    ),
    Fault("429-always", "429 on every attempt", lambda ok: [Reply(429, b"{}", JSON)]),
    Fault(
        "gh-primary",
        "GitHub primary limit: 403, x-ratelimit-remaining: 0",
        lambda ok: [
            Reply(
                403,
                b'{"message": "API rate limit exceeded"}',
                {**JSON, "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1900000000"},
            )
        ],
        github_only=True,
    ),
    Fault(
        "gh-secondary",
        "GitHub secondary limit: 403, retry-after: 60",
        lambda ok: [
            Reply(403, b'{"message": "You have exceeded a secondary rate limit"}', {**JSON, "retry-after": "60"})
        ],
        github_only=True,
    ),
    Fault("500-always", "500 on every attempt", lambda ok: [Reply(500, b'{"message": "boom"}', JSON)]),
    Fault("502-once", "502, then healthy", lambda ok: [Reply(502, b"{}", JSON), ok]),
    Fault("503-once", "503, then healthy", lambda ok: [Reply(503, b"{}", JSON), ok]),
    Fault("refused", "connection refused", lambda ok: [ok], refused=True),
    Fault("reset-once", "connection reset mid-response, then healthy", lambda ok: [Reply(reset=True), ok]),
    Fault(
        "read-timeout",
        f"read timeout (server waits {SLOW} s, client {READ_TIMEOUT} s)",
        lambda ok: [Reply(200, ok.body, ok.headers, delay=SLOW)],
        short_timeout=True,
    ),
    Fault("bad-json", "200 with malformed JSON", lambda ok: [Reply(200, b'{"oops', JSON)]),
    Fault(
        "html-502",
        "502 with an HTML error page, every attempt",
        lambda ok: [Reply(502, HTML_PAGE, {"Content-Type": "text/html"})],
    ),
    Fault("401", "401", lambda ok: [Reply(401, b'{"message": "Unauthorized"}', JSON)]),
    Fault("403", "403", lambda ok: [Reply(403, b'{"message": "Forbidden"}', JSON)]),
    Fault("404", "404", lambda ok: [Reply(404, b'{"message": "Not Found"}', JSON)]),
)

SNAPSHOT_OK = b'{"key": "k1", "url": "http://127.0.0.1/dashboard/snapshot/k1", "deleteKey": "dk-123456", "deleteUrl": "http://127.0.0.1/api/snapshots-delete/dk-123456", "id": 1}'

ADAPTERS: tuple[Adapter, ...] = (
    Adapter(
        "github-rest", "GitHub REST `GET` (`GitHub.get_json`)", "read", "github", Reply(200, b'{"ok": true}', JSON)
    ),
    Adapter(
        "github-graphql",
        "GitHub GraphQL (`GitHub.graphql`)",
        "query",
        "github",
        Reply(200, b'{"data": {"ok": true}}', JSON),
    ),
    Adapter("grafana-read", "Grafana `GET` (`Grafana.json`)", "read", "grafana", Reply(200, b'{"ok": true}', JSON)),
    Adapter(
        "grafana-query",
        "grafana-snapshot panel query `POST /api/ds/query` (`Grafana(retry_posts=True)`)",
        "query",
        "grafana",
        Reply(200, b'{"results": {}}', JSON),
    ),
    Adapter(
        "grafana-annotation",
        "grafana-push annotation `POST` (`annotation.publish`)",
        "write",
        "grafana",
        Reply(200, b'{"id": 7, "message": "Annotation added"}', JSON),
        lost="the release annotation for owner/repo may have been created anyway; re-running is safe",
    ),
    Adapter(
        "metrics-influx",
        "grafana-push metrics, influx `POST` (`push.send`)",
        "write",
        "metrics",
        Reply(204, b"", {}),
    ),
    Adapter(
        "metrics-pushgateway",
        "grafana-push metrics, Pushgateway `PUT` (`push.send`)",
        "read",
        "metrics",
        Reply(200, b"", {}),
    ),
    Adapter(
        "snapshot-create",
        "grafana-snapshot `POST /api/snapshots` (`grafana_snapshot.create`)",
        "write",
        "grafana",
        Reply(200, SNAPSHOT_OK, JSON),
        lost="the snapshot 'Release v1.2.3' may have been created anyway; re-running is safe",
    ),
    Adapter(
        "slack",
        "notify Slack webhook (`deliver.send`)",
        "write",
        "webhook",
        Reply(200, b"ok", {"Content-Type": "text/plain"}),
        "Slack",
    ),
    Adapter(
        "discord",
        "notify Discord webhook (`deliver.send`)",
        "write",
        "webhook",
        Reply(200, b'{"id": "1234"}', JSON),
        "Discord",
    ),
    Adapter("teams", "notify Teams webhook (`deliver.send`)", "write", "webhook", Reply(202, b"", {}), "Teams"),
)

# The words each family uses for a status that is finally refused.
_STATUS_WORDS: dict[str, dict[int | str, str]] = {
    "github": {
        401: "GitHub rejected the token",
        403: "GitHub refused",
        404: "GitHub found nothing",
        429: "GitHub answered HTTP 429",
        500: "GitHub answered HTTP 500",
        502: "GitHub answered HTTP 502",
        503: "GitHub answered HTTP 503",
        "refused": "could not connect to GitHub",
        "timeout": "did not answer in time",
        "reset": "dropped the connection mid-response",
        "bad-json": "GitHub answered test with something that is not JSON",
        "gh-primary": "GitHub API rate limit exhausted",
        "gh-secondary": "GitHub's secondary rate limit hit",
    },
    "grafana": {
        401: "Grafana rejected the token",
        403: "Grafana refused",
        404: "Grafana found nothing",
        429: "Grafana rate-limited",
        500: "with HTTP 500",
        502: "with HTTP 502",
        503: "with HTTP 503",
        "refused": "could not connect to Grafana",
        "timeout": "did not answer in time",
        "reset": "dropped the connection mid-response",
        "bad-json": "with something that is not JSON",
    },
    "metrics": {
        401: "answered HTTP 401",
        403: "answered HTTP 403",
        404: "answered HTTP 404",
        429: "answered HTTP 429",
        500: "answered HTTP 500",
        502: "answered HTTP 502",
        503: "answered HTTP 503",
        "refused": "could not connect to the metrics endpoint",
        "timeout": "the metrics endpoint did not answer in time",
        "reset": "the metrics endpoint dropped the connection mid-response",
    },
    "webhook": {
        401: "{name} refused the webhook (HTTP 401)",
        403: "{name} refused the webhook (HTTP 403)",
        404: "{name} refused the webhook (HTTP 404)",
        429: "{name} rate limited the message (HTTP 429)",
        500: "{name} failed (HTTP 500)",
        502: "{name} failed (HTTP 502)",
        503: "{name} failed (HTTP 503)",
        "refused": "could not connect to the {name} webhook (nothing was sent)",
        "timeout": "did not answer in time; not retried, the message may have been posted",
        "reset": "dropped the connection mid-response; not retried, the message may have been posted",
    },
}


def _words(adapter: Adapter, key: int | str) -> str:
    text = _STATUS_WORDS[adapter.family][key]
    if adapter.key == "discord" and key == 404:
        return "Discord does not know this webhook"
    return text.format(name=adapter.label)


# Faults after which a write may have landed: its answer was lost, or a 5xx came instead.
_LOST_FAULTS = frozenset({"500-always", "502-once", "503-once", "reset-once", "read-timeout", "html-502"})


def expect(adapter: Adapter, fault: Fault) -> Expect:
    """The behaviour the HTTP policy promises for this cell."""
    wanted = _expect(adapter, fault)
    if adapter.lost and not wanted.ok and fault.key in _LOST_FAULTS:
        return Expect(wanted.ok, wanted.requests, wanted.message, lost=adapter.lost, waits=wanted.waits)
    return wanted


def _expect(adapter: Adapter, fault: Fault) -> Expect:
    attempts = 1 + RETRIES
    resends_after_send = adapter.kind in ("read", "query")  # a write is never resent once it may have arrived
    key = fault.key
    if key.startswith("429") and key != "429-always":
        waits = {"429-seconds": (2.0,), "429-date": None, "429-none": (), "429-absurd": (WAIT_CAP,)}[key]
        return Expect(True, 2, "", waits)
    if key == "429-always":
        return Expect(False, attempts, _words(adapter, 429))
    if key in ("gh-primary", "gh-secondary"):
        return Expect(False, 1, _words(adapter, key))
    if key == "500-always":
        return Expect(False, attempts if resends_after_send else 1, _words(adapter, 500))
    if key in ("502-once", "503-once"):
        if resends_after_send:
            return Expect(True, 2, "")
        return Expect(False, 1, _words(adapter, int(key[:3])))
    if key == "refused":
        return Expect(False, 0, _words(adapter, "refused"))
    if key == "reset-once":
        # requests reads the body after urllib3 is done: call() resends what the session may resend
        if resends_after_send:
            return Expect(True, 2, "")
        return Expect(False, 1, _words(adapter, "reset"))
    if key == "read-timeout":
        return Expect(False, attempts if resends_after_send else 1, _words(adapter, "timeout"))
    if key == "bad-json":
        if adapter.family in ("metrics", "webhook"):
            return Expect(True, 1, "")  # they do not read the body as JSON (Discord: no message id)
        return Expect(False, 1, _words(adapter, "bad-json"))
    if key == "html-502":
        return Expect(False, attempts if resends_after_send else 1, _words(adapter, 502))
    return Expect(False, 1, _words(adapter, int(key)))


def cells() -> list[tuple[Adapter, Fault]]:
    return [(a, f) for a in ADAPTERS for f in FAULTS if not (f.github_only and a.family != "github")]


# -- hostile inputs ---------------------------------------------------------------------------

CANARY = "{canary}"  # replaced by the path of a file that must never come to exist
TOUCH = f"$(touch {CANARY})"
GIT_TOUCH = "$(touch${IFS}" + CANARY + ")"  # git refuses spaces in a tag name, not this


@dataclass(frozen=True)
class Hostile:
    key: str
    stage: str
    kind: str  # the family of attack, for the doc
    what: str  # the input, in words
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str | bytes], ...] = ()
    exit: int = 1  # 0: handled safely (the value is inert), 1: refused, 2: usage error
    message: str = ""  # a substring of the ::error line
    setup: str = ""  # a workspace fixture to build first (see test_hostile_inputs.SETUPS)
    absent: tuple[str, ...] = ()  # must appear in no artifact (a dangerous value that is dropped)
    known_bug: str = ""  # set while a module this suite may not edit is wrong: the case runs as a strict xfail


PUSH = ("--tag", "v1.2.3", "--repository", "owner/repo", "--dry-run")
NOTIFY = ("--tag", "v1.2.3", "--repository", "owner/repo", "--dry-run")
CHANGELOG = ("--tag", "v1.1.0", "--repository", "owner/repo", "--source", "git", "--dry-run")
SNAPSHOT = ("--tag", "v1.2.3", "--dashboard-uid", "abc", "--dry-run")
NOT_A_TAG = "is not a release tag"

HOSTILE: tuple[Hostile, ...] = (
    # sentinel: the tag and every free-text input
    Hostile(
        "tag-subshell", "sentinel", "shell", "tag `v1.2.3$(touch …)`", ("--tag", f"v1.2.3{TOUCH}"), message=NOT_A_TAG
    ),
    Hostile(
        "tag-backticks",
        "sentinel",
        "shell",
        "tag with backticks",
        ("--tag", f"v1.2.3`touch {CANARY}`"),
        message=NOT_A_TAG,
    ),
    Hostile(
        "tag-semicolon",
        "sentinel",
        "shell",
        "tag `v1.2.3;touch …`",
        ("--tag", f"v1.2.3;touch {CANARY}"),
        message=NOT_A_TAG,
    ),
    Hostile("tag-pipe", "sentinel", "shell", "tag `v1.2.3|sh`", ("--tag", "v1.2.3|sh"), message=NOT_A_TAG),
    Hostile(
        "tag-option",
        "sentinel",
        "git tag",
        "tag `--upload-pack=touch …` (looks like an option)",
        (f"--tag=--upload-pack=touch {CANARY}",),
        message="starts with '-'",
    ),
    Hostile(
        "tag-newline-command",
        "sentinel",
        "workflow command",
        "tag `v1.2.3` + newline + `::set-output name=x::y`",
        ("--tag", "v1.2.3\n::set-output name=x::y"),
        message="\\n::set-output",
    ),
    Hostile(
        "tag-bidi",
        "sentinel",
        "unicode",
        "tag with U+202E (right-to-left override)",
        ("--tag", "v1.2.3\u202e"),
        message="\\u202e",
    ),
    Hostile(
        "tag-zero-width",
        "sentinel",
        "unicode",
        "tag with U+200B (zero-width space)",
        ("--tag", "v1.2\u200b.3"),
        message="\\u200b",
    ),
    Hostile(
        "tag-fullwidth-digits",
        "sentinel",
        "unicode",
        "tag with full-width digits `v１.2.3`",
        ("--tag", "v\uff11.2.3"),
        message="non-ASCII",
    ),
    Hostile(
        "tag-huge",
        "sentinel",
        "huge",
        "tag of 100,000 characters",
        ("--tag", "v1.2.3" + "9" * 100_000),
        message="characters long",
    ),
    Hostile(
        "push-tag-huge",
        "grafana-push",
        "huge",
        "tag of 300 characters (it names the artifact file)",
        ("--tag", "v1.2.3-" + "a" * 293, "--repository", "o/r", "--dry-run"),
        message="characters long",
    ),
    Hostile(
        "tag-invalid-utf8",
        "sentinel",
        "invalid UTF-8",
        "SOVEREIGN_TAG with the byte 0xFF",
        env=(("SOVEREIGN_TAG", b"v1.2.3\xff"),),
        message="not valid UTF-8",
    ),
    Hostile(
        "tag-git-dangerous",
        "sentinel",
        "git tag",
        "a real git tag `v1.0.0$(touch …)` that exists in the repository",
        ("--tag", f"v1.0.0{GIT_TOUCH}"),
        message=NOT_A_TAG,
        setup="dangerous-tag",
    ),
    Hostile(
        "pattern-invalid",
        "sentinel",
        "regex",
        "tag-pattern `(` (not a regex)",
        ("--tag", "v1.2.3", "--tag-pattern", "("),
        message="not a valid regular expression",
    ),
    Hostile(
        "branch-option",
        "sentinel",
        "git option",
        "require-branch `--output=…`",
        ("--tag", "v1.0.0", f"--require-branch=--output={CANARY}"),
        message="require-branch",
        setup="repo",
    ),
    Hostile(
        "branch-subshell",
        "sentinel",
        "shell",
        "require-branch `main$(touch …)`",
        ("--tag", "v1.0.0", "--require-branch", f"main{TOUCH}"),
        message="require-branch",
        setup="repo",
    ),
    Hostile(
        "version-file-escape",
        "sentinel",
        "path",
        "version-files `../../etc/passwd`",
        ("--tag", "v1.0.0", "--version-files", "../../etc/passwd"),
        message="outside the workspace",
        setup="repo",
    ),
    Hostile(
        "version-file-absolute",
        "sentinel",
        "path",
        "version-files `/etc/hostname`",
        ("--tag", "v1.0.0", "--version-files", "/etc/hostname"),
        message="relative path inside the workspace",
        setup="repo",
    ),
    Hostile(
        "version-file-symlink",
        "sentinel",
        "path",
        "version-files: a symlink in the workspace pointing outside it",
        ("--tag", "v1.0.0", "--version-files", "VERSION"),
        message="VERSION",
        setup="symlink-version",
    ),
    Hostile(
        "repository-subshell",
        "sentinel",
        "shell",
        "repository `owner/name$(touch …)` (with a token)",
        ("--tag", "v1.2.3", "--repository", f"owner/name{TOUCH}", "--token", "t0ken-value"),
        message="must be owner/name",
    ),
    Hostile(
        "repository-traversal",
        "sentinel",
        "path",
        "repository `../../admin` (with a token)",
        ("--tag", "v1.2.3", "--repository", "../../admin", "--token", "t0ken-value"),
        message="must be owner/name",
    ),
    Hostile(
        "api-url-credentials",
        "sentinel",
        "URL",
        "GITHUB_API_URL with user:password@",
        ("--tag", "v1.2.3", "--repository", "o/r", "--token", "t0ken-value"),
        env=(("GITHUB_API_URL", "https://user:hunter22@api.example.com"),),
        message="carries credentials",
    ),
    Hostile(
        "api-url-private-http",
        "sentinel",
        "URL",
        "GITHUB_API_URL `http://10.0.0.1` (plain http, private address)",
        ("--tag", "v1.2.3", "--repository", "o/r", "--token", "t0ken-value"),
        env=(("GITHUB_API_URL", "http://10.0.0.1/api/v3"),),
        message="non-loopback",
    ),
    Hostile(
        "timeout-not-number",
        "sentinel",
        "number",
        "checks-timeout `1e9`",
        ("--tag", "v1.2.3", "--checks-timeout", "1e9"),
        message="whole number",
    ),
    Hostile(
        "timeout-negative",
        "sentinel",
        "number",
        "checks-timeout `-5`",
        ("--tag", "v1.2.3", "--checks-timeout=-5"),
        message="whole number",
    ),
    Hostile(
        "bool-yes",
        "sentinel",
        "usage",
        "allow-prerelease `yes`",
        ("--tag", "v1.2.3", "--allow-prerelease", "yes"),
        exit=2,
        message="must be a boolean",
    ),
    Hostile(
        "unknown-flag-secret",
        "sentinel",
        "usage",
        "a mistyped flag `--tokn=<secret>` (its value must not be echoed)",
        ("--tag", "v1.2.3", "--tokn=s3cret-value-123"),
        exit=2,
        message="unknown flag",
    ),
    Hostile(
        "unknown-flag-secret-spaced",
        "sentinel",
        "usage",
        "a mistyped flag `--tokn <secret>` (value as the next argument: must not be echoed)",
        ("--tag", "v1.2.3", "--tokn", "s3cret-value-123"),
        exit=2,
        message="unknown flag",
    ),
    Hostile(
        "required-checks-commands",
        "sentinel",
        "workflow command",
        "required-checks with a newline and `::set-output` (no token: the names are only reported)",
        ("--tag", "v1.2.3", "--required-checks", "ci\n::set-output name=x::y\n$(touch {canary})"),
        message="required-checks",
    ),
    Hostile(
        "pattern-newline",
        "sentinel",
        "workflow command",
        "tag-pattern with a newline and `::warning::`",
        ("--tag", "v1.2.3", "--tag-pattern", "v.*\n::warning::fake"),
        message="does not match tag-pattern",
    ),
    # grafana-push
    Hostile(
        "grafana-url-credentials",
        "grafana-push",
        "URL",
        "grafana-url with user:password@",
        (*PUSH, "--grafana-url", "https://admin:hunter22@grafana.example.com"),
        message="carries credentials",
    ),
    Hostile(
        "grafana-url-metadata",
        "grafana-push",
        "URL",
        "grafana-url `http://169.254.169.254/` (cloud metadata, plain http)",
        (*PUSH, "--grafana-url", "http://169.254.169.254/latest"),
        message="non-loopback",
    ),
    Hostile(
        "grafana-url-file",
        "grafana-push",
        "URL",
        "grafana-url `file:///etc/passwd`",
        (*PUSH, "--grafana-url", "file:///etc/passwd"),
        message="not an http(s) URL",
    ),
    Hostile(
        "grafana-url-javascript",
        "grafana-push",
        "URL",
        "grafana-url `javascript:alert(1)`",
        (*PUSH, "--grafana-url", "javascript:alert(1)"),
        message="not an http(s) URL",
    ),
    Hostile(
        "grafana-url-newline",
        "grafana-push",
        "URL",
        "grafana-url with a newline and a header",
        (*PUSH, "--grafana-url", "https://grafana.example.com/\r\nX-Evil: 1"),
        message="grafana-url",
    ),
    Hostile(
        "metrics-url-private",
        "grafana-push",
        "URL",
        "metrics-url `http://192.168.1.1:9091` (plain http, private address)",
        (*PUSH, "--metrics-url", "http://192.168.1.1:9091", "--metrics", "x 1"),
        message="non-loopback",
    ),
    Hostile(
        "metric-name-shell",
        "grafana-push",
        "shell",
        "metrics line `x$(touch …) 1`",
        (*PUSH, "--metrics", f"x{TOUCH} 1"),
        message="metrics",
    ),
    Hostile(
        "metrics-workflow-command",
        "grafana-push",
        "workflow command",
        "metrics `x 1` + newline + `::error::fake`",
        (*PUSH, "--metrics", "x 1\n::error::fake"),
        message="metrics",
    ),
    Hostile(
        "metrics-format-shell",
        "grafana-push",
        "shell",
        "metrics-format `influx; touch …`",
        (*PUSH, "--metrics-format", f"influx; touch {CANARY}"),
        message="metrics-format",
    ),
    Hostile(
        "annotation-text-commands",
        "grafana-push",
        "workflow command",
        "annotation-text with newlines, `::set-env` and `<script>` (dry-run)",
        (*PUSH, "--annotation-text", "ok\n::set-env name=EVIL::1\n##[error]x\n<script>alert(1)</script>"),
        exit=0,
    ),
    Hostile(
        "push-tag-newline",
        "grafana-push",
        "workflow command",
        "tag with a newline and `::error::`",
        ("--tag", "v1.2.3\n::error::fake", "--repository", "o/r", "--dry-run"),
        message="not a usable release tag",
    ),
    Hostile(
        "push-tag-git-dangerous",
        "grafana-push",
        "git tag",
        "tag `v1.2.3$(touch …)` (git accepts it; dry-run)",
        ("--tag", f"v1.2.3{GIT_TOUCH}", "--repository", "o/r", "--dry-run"),
        exit=0,
    ),
    Hostile(
        "push-tag-traversal",
        "grafana-push",
        "path",
        "tag `v1/../../../outside` (the artifact name must stay in the directory)",
        ("--tag", "v1/../../../outside", "--repository", "o/r", "--dry-run"),
        exit=0,
    ),
    Hostile(
        "changelog-json-absolute",
        "grafana-push",
        "path",
        "changelog-json `/etc/passwd`",
        (*PUSH, "--changelog-json", "/etc/passwd"),
        message="outside the workspace",
    ),
    Hostile(
        "changelog-json-escape",
        "grafana-push",
        "path",
        "changelog-json `../../etc/passwd`",
        (*PUSH, "--changelog-json", "../../etc/passwd"),
        message="outside the workspace",
    ),
    Hostile(
        "changelog-json-broken",
        "grafana-push",
        "JSON",
        "changelog-json that does not parse",
        (*PUSH, "--changelog-json", "broken.json"),
        message="not valid JSON",
        setup="broken-json",
    ),
    Hostile(
        "changelog-json-binary",
        "grafana-push",
        "invalid UTF-8",
        "changelog-json with invalid UTF-8",
        (*PUSH, "--changelog-json", "binary.json"),
        message="cannot read",
        setup="binary-json",
    ),
    Hostile(
        "changelog-json-huge",
        "grafana-push",
        "huge",
        "changelog-json of 20 MB",
        (*PUSH, "--changelog-json", "huge.json"),
        message="not a sovereign.changelog/v1 document",
        setup="huge-json",
    ),
    Hostile(
        "artifacts-dir-escape",
        "grafana-push",
        "path",
        "artifacts-dir `../outside`",
        (*PUSH, "--artifacts-dir", "../outside"),
        message="outside the workspace",
    ),
    Hostile(
        "artifacts-dir-absolute",
        "grafana-push",
        "path",
        "artifacts-dir: an absolute path outside the workspace",
        (*PUSH, "--artifacts-dir", CANARY + ".d"),
        message="outside the workspace",
    ),
    Hostile(
        "artifacts-dir-symlink",
        "grafana-push",
        "path",
        "artifacts-dir: a symlink in the workspace pointing outside it",
        (*PUSH, "--artifacts-dir", "link"),
        message="outside the workspace",
        setup="symlink-dir",
    ),
    Hostile(
        "metrics-user-no-token",
        "grafana-push",
        "credentials",
        "metrics-user without metrics-token",
        (*PUSH, "--metrics-user", "12345"),
        message="metrics-token",
    ),
    Hostile(
        "dry-run-yes",
        "grafana-push",
        "usage",
        "dry-run `yes`",
        ("--tag", "v1.2.3", "--dry-run", "yes"),
        exit=2,
        message="must be a boolean",
    ),
    Hostile(
        "verbose-env-1",
        "grafana-push",
        "usage",
        "SOVEREIGN_VERBOSE=1",
        ("--tag", "v1.2.3"),
        env=(("SOVEREIGN_VERBOSE", "1"),),
        exit=2,
        message="must be a boolean",
    ),
    Hostile(
        "annotation-tags-commands",
        "grafana-push",
        "workflow command",
        "annotation-tags with `::error::`, `$(touch …)` and bidi text (dry-run)",
        (*PUSH, "--annotation-tags", f"::error::fake, {TOUCH}, a\u202eb"),
        exit=0,
    ),
    Hostile(
        "dashboard-uid-traversal",
        "grafana-push",
        "path",
        "dashboard-uid `../../api/admin/users` (dry-run: it only goes in the JSON body)",
        (*PUSH, "--dashboard-uid", "../../api/admin/users"),
        exit=0,
    ),
    # notify
    Hostile(
        "slack-url-http",
        "notify",
        "URL",
        "slack-webhook-url over plain http (not echoed)",
        ("--tag", "v1.2.3", "--repository", "o/r"),
        env=(("SOVEREIGN_SLACK_WEBHOOK_URL", "http://hooks.example.com/services/T0/B0/SECRETPATH"),),
        message="slack-webhook-url",
    ),
    Hostile(
        "discord-url-credentials",
        "notify",
        "URL",
        "discord-webhook-url with user:password@ (not echoed)",
        ("--tag", "v1.2.3", "--repository", "o/r"),
        env=(("SOVEREIGN_DISCORD_WEBHOOK_URL", "https://u:p@discord.example.com/api/webhooks/1/SECRETPATH"),),
        message="discord-webhook-url",
    ),
    Hostile(
        "teams-url-private-http",
        "notify",
        "URL",
        "teams-webhook-url `http://10.1.2.3/…` (not echoed)",
        ("--tag", "v1.2.3", "--repository", "o/r"),
        env=(("SOVEREIGN_TEAMS_WEBHOOK_URL", "http://10.1.2.3/workflows/SECRETPATH"),),
        message="teams-webhook-url",
    ),
    Hostile(
        "notify-title-commands",
        "notify",
        "workflow command",
        "title with newlines and `::add-mask::`, `@everyone`, `<!channel>` (dry-run)",
        (*NOTIFY, "--title", "hi\n::add-mask::x\n@everyone <!channel> $(touch {canary})"),
        exit=0,
    ),
    Hostile(
        "notify-changelog-commands",
        "notify",
        "workflow command",
        "changelog Markdown with `::stop-commands::` and `` `touch …` `` (dry-run)",
        (*NOTIFY, "--changelog", f"- fix\n::stop-commands::abc\n- `touch {CANARY}`"),
        exit=0,
    ),
    Hostile(
        "notify-tag-huge",
        "notify",
        "huge",
        "tag of 300 characters (it names the artifact file)",
        ("--tag", "v1.2.3-" + "a" * 293, "--repository", "o/r", "--dry-run"),
        message="tag",
    ),
    Hostile(
        "notify-status-shell",
        "notify",
        "shell",
        "status `success; touch …`",
        (*NOTIFY, "--status", f"success; touch {CANARY}"),
        message="status",
    ),
    Hostile(
        "notify-changelog-json-escape",
        "notify",
        "path",
        "changelog-json `../../etc/passwd`",
        (*NOTIFY, "--changelog-json", "../../etc/passwd"),
        message="outside the workspace",
    ),
    Hostile(
        "notify-changelog-json-broken",
        "notify",
        "JSON",
        "changelog-json that does not parse",
        (*NOTIFY, "--changelog-json", "broken.json"),
        message="not valid JSON",
        setup="broken-json",
    ),
    Hostile(
        "notify-release-url-javascript",
        "notify",
        "URL",
        "release-url `javascript:alert(1)` (dropped from every payload)",
        (*NOTIFY, "--release-url", "javascript:alert(1)"),
        exit=0,
        absent=("javascript:",),
    ),
    # changelog
    Hostile(
        "changelog-config-broken-yaml",
        "changelog",
        "YAML",
        "config YAML that does not parse",
        (*CHANGELOG, "--config", "bad.yml"),
        message="config",
        setup="bad-yaml",
    ),
    Hostile(
        "changelog-config-escape",
        "changelog",
        "path",
        "config `../../etc/passwd`",
        (*CHANGELOG, "--config", "../../etc/passwd"),
        message="outside the workspace",
        setup="repo",
    ),
    Hostile(
        "changelog-previous-option",
        "changelog",
        "git option",
        "previous-tag `--output=…`",
        (*CHANGELOG, f"--previous-tag=--output={CANARY}"),
        message="previous-tag",
        setup="repo",
    ),
    Hostile(
        "changelog-previous-subshell",
        "changelog",
        "shell",
        "previous-tag `v1.0.0$(touch …)`",
        (*CHANGELOG, "--previous-tag", f"v1.0.0{TOUCH}"),
        message="previous-tag",
        setup="repo",
    ),
    Hostile(
        "changelog-source-shell",
        "changelog",
        "shell",
        "source `git; touch …`",
        (*CHANGELOG[:-3], "--source", f"git; touch {CANARY}", "--dry-run"),
        message="source",
        setup="repo",
    ),
    Hostile(
        "changelog-git-dangerous-tag",
        "changelog",
        "git tag",
        "a real git tag `v1.0.0$(touch …)` as previous-tag",
        (*CHANGELOG, "--previous-tag", f"v1.0.0{GIT_TOUCH}"),
        exit=0,
        setup="dangerous-tag",
    ),
    # grafana-snapshot
    Hostile(
        "snapshot-uid-traversal",
        "grafana-snapshot",
        "path",
        "dashboard-uid `../../api/admin/users`",
        (
            "--tag",
            "v1.2.3",
            "--dry-run",
            "--grafana-url",
            "https://grafana.example.com",
            "--dashboard-uid",
            "../../api/admin/users",
        ),
        message="dashboard-uid",
    ),
    Hostile(
        "snapshot-name-commands",
        "grafana-snapshot",
        "workflow command",
        "name with a newline and `::error::` (refused or inert: here, before any request, the URL is bad)",
        (*SNAPSHOT, "--grafana-url", "ftp://grafana.example.com", "--name", "x\n::error::fake"),
        message="grafana-url",
    ),
    Hostile(
        "snapshot-url-credentials",
        "grafana-snapshot",
        "URL",
        "grafana-url with user:password@",
        (*SNAPSHOT, "--grafana-url", "https://admin:hunter22@grafana.example.com"),
        message="carries credentials",
    ),
    Hostile(
        "snapshot-url-metadata",
        "grafana-snapshot",
        "URL",
        "grafana-url `http://169.254.169.254/`",
        (*SNAPSHOT, "--grafana-url", "http://169.254.169.254/"),
        message="non-loopback",
    ),
    Hostile(
        "snapshot-time-shell",
        "grafana-snapshot",
        "shell",
        "time-from `now-6h; touch …`",
        (*SNAPSHOT, "--grafana-url", "https://grafana.example.com", "--time-from", f"now-6h; touch {CANARY}"),
        message="time-from",
    ),
    Hostile(
        "snapshot-expires-negative",
        "grafana-snapshot",
        "number",
        "expires `-1`",
        (*SNAPSHOT, "--grafana-url", "https://grafana.example.com", "--expires=-1"),
        message="expires",
    ),
)


# -- secret-leak canaries ---------------------------------------------------------------------

CANARY_STAGES = ("sentinel", "changelog", "grafana-push", "grafana-snapshot", "notify", "ritual")
CANARY_MODES = ("success", "failure", "dry-run", "verbose")
CANARY_MODE_TEXT = {
    "success": "real run; every service answers OK and echoes the Authorization header it got",
    "failure": "every service answers 401 with the Authorization header and the path echoed in its message",
    "dry-run": "`--dry-run` with every secret set",
    "verbose": "real run with `--verbose` and `RUNNER_DEBUG=1`",
}
CANARY_PLACES = ("stdout", "stderr", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "artifacts")
CANARY_FORMS = ("as is", "base64", "URL-safe base64", "URL-encoded", "base64 of `user:token`")


@dataclass(frozen=True)
class ActionHostile:
    """A hostile input given as an action input: it travels action.yml -> env: -> the stage."""

    key: str
    action: str
    what: str
    inputs: tuple[tuple[str, str], ...]
    exit: int = 1
    message: str = ""


ACTION_HOSTILE: tuple[ActionHostile, ...] = (
    ActionHostile(
        "sentinel-tag-subshell", "sentinel", "tag `v1.2.3$(touch …)`", (("tag", f"v1.2.3{TOUCH}"),), message=NOT_A_TAG
    ),
    ActionHostile(
        "sentinel-branch-quote",
        "sentinel",
        'require-branch `main"; touch …; echo "`',
        (("tag", "v1.2.3"), ("require-branch", f'main"; touch {CANARY}; echo "')),
        message="require-branch",
    ),
    ActionHostile(
        "push-text-commands",
        "grafana-push",
        "annotation-text with `${{ github.token }}`, `$(touch …)` and `::set-output` (dry-run)",
        (
            ("tag", "v1.2.3"),
            ("repository", "o/r"),
            ("dry-run", "true"),
            ("annotation-text", f"${{{{ github.token }}}} {TOUCH}\n::set-output name=x::y"),
        ),
        exit=0,
    ),
    ActionHostile(
        "notify-title-commands",
        "notify",
        "title with `` `touch …` `` and `::error::` (dry-run)",
        (("tag", "v1.2.3"), ("repository", "o/r"), ("dry-run", "true"), ("title", f"`touch {CANARY}`\n::error::fake")),
        exit=0,
    ),
    ActionHostile(
        "changelog-config-escape",
        "changelog",
        "config `../../../etc/passwd`",
        (("tag", "v1.2.3"), ("repository", "o/r"), ("source", "git"), ("config", "../../../etc/passwd")),
        message="outside the workspace",
    ),
)
