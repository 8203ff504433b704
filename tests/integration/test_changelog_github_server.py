"""The changelog action against a GitHub stand-in on a real loopback socket: retries and idempotent publishing."""

from __future__ import annotations

import json
import re

from gitfactory import RepoBuilder
from localserver import Reply, Seen, serve

TOKEN = "ghs_integrationtoken42"


def release_repo(tmp_path):
    repo = RepoBuilder(tmp_path / "workspace")
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    shas = [repo.commit("feat: rebased one"), repo.commit("fix: rebased two")]
    repo.tag("v1.1.0")
    return repo, shas


def graphql_reply(seen: Seen, merge: str) -> Reply:
    query = json.loads(seen.body)["query"]
    pr = {
        "number": 42,
        "title": "Rebased work",
        "merged": True,
        "body": "",
        "author": {"login": "erin"},
        "labels": {"nodes": [{"name": "enhancement"}]},
        "mergeCommit": {"oid": merge},
    }
    data = {alias: {"associatedPullRequests": {"nodes": [pr]}} for alias in re.findall(r"(c\d+): object", query)}
    return Reply(200, json.dumps({"data": {"repository": data}}).encode(), {"x-ratelimit-remaining": "4999"})


def test_graphql_is_retried_after_a_502_and_maps_the_rebase_merge(action, tmp_path):
    repo, shas = release_repo(tmp_path)
    calls = {"graphql": 0}

    def reply(seen: Seen) -> Reply:
        calls["graphql"] += 1
        return Reply(502, b"bad gateway") if calls["graphql"] == 1 else graphql_reply(seen, shas[-1])

    with serve(reply) as (url, script):
        result = action(
            "changelog",
            {"tag": "v1.1.0", "github-token": TOKEN},
            workspace=repo.path,
            github={"api_url": url, "graphql_url": url + "/graphql"},
        )
    assert result.returncode == 0, result.log
    assert [s.method for s in script.seen] == ["POST", "POST"], "one retry of the read-only query"
    assert script.seen[-1].headers["Authorization"] == f"Bearer {TOKEN}"
    assert result.outputs["pr-count"] == "1" and result.outputs["commit-count"] == "2"
    # The client counts calls; urllib3's retry of the 502 happens inside one call.
    assert "1 GitHub request(s), rate limit remaining 4999" in result.summary
    shown = [line for line in result.log.splitlines() if TOKEN in line]
    assert shown == [f"::add-mask::{TOKEN}"], "the token appears only in its own mask command"
    assert TOKEN not in result.summary


def test_publish_never_blindly_retries_a_create_and_a_rerun_updates(action, tmp_path):
    repo, _ = release_repo(tmp_path)
    state: dict[str, object] = {"created": False}

    def reply(seen: Seen) -> Reply:
        if seen.method == "GET" and seen.path.startswith("/repos/octo/widget/releases/tags/v1.1.0"):
            if state["created"]:  # the 502'd create went through after all
                return Reply(200, json.dumps({"id": 7, "name": "", "html_url": "https://ghe/r/7"}).encode())
            return Reply(404, b'{"message": "Not Found"}')
        if seen.method == "GET" and seen.path.startswith("/repos/octo/widget/releases?"):
            return Reply(200, b"[]")  # no draft of ours to publish
        if seen.method == "POST" and seen.path == "/repos/octo/widget/releases":
            state["created"] = True
            return Reply(502, b"bad gateway")
        if seen.method == "PATCH" and seen.path == "/repos/octo/widget/releases/7":
            return Reply(200, json.dumps({"id": 7, "html_url": "https://ghe/r/7"}).encode())
        return Reply(500, b"unexpected")

    inputs = {"tag": "v1.1.0", "github-token": TOKEN, "source": "git", "publish-release": "true"}
    github = {"api_url": "", "graphql_url": ""}
    with serve(reply) as (url, script):
        github = {"api_url": url, "graphql_url": url + "/graphql"}
        first = action("changelog", inputs, workspace=repo.path, github=github)
        posts = [s for s in script.seen if s.method == "POST"]
        second = action("changelog", inputs, workspace=repo.path, github=github)
    assert first.returncode == 1
    assert len(posts) == 1, "a create is never resent after a 5xx: that is how duplicates happen"
    assert len(first.errors) == 1 and "GitHub answered HTTP 502 for creating the release of v1.1.0" in first.errors[0]
    assert second.returncode == 0, second.log
    assert second.outputs["release-url"] == "https://ghe/r/7"
    patch = next(s for s in script.seen if s.method == "PATCH")
    body = json.loads(patch.body)
    assert body["prerelease"] is False and body["name"] == "v1.1.0" and "feat" not in body["body"][:3]
