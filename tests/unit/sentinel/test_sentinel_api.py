"""The sentinel's API checks with `responses`: pagination, polling, peeling, errors in words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from responses import matchers
from sentinel_runner import API, TOKEN, run_sentinel

REPO = f"{API}/repos/octo/widget"
COMMIT = "c" * 40
OTHER = "d" * 40
TAG_OBJECT = "a" * 40


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def ref(rsps, tag="v1.1.0", annotated=True, commit=COMMIT, verified=True, reason="valid"):
    if annotated:
        rsps.get(f"{REPO}/git/ref/tags/{tag}", json={"object": {"type": "tag", "sha": TAG_OBJECT}})
        rsps.get(
            f"{REPO}/git/tags/{TAG_OBJECT}",
            json={
                "object": {"type": "commit", "sha": commit},
                "verification": {"verified": verified, "reason": reason},
            },
        )
    else:
        rsps.get(f"{REPO}/git/ref/tags/{tag}", json={"object": {"type": "commit", "sha": commit}})


def no_release(rsps, tag="v1.1.0"):
    rsps.get(f"{REPO}/releases/tags/{tag}", status=404, json={"message": "Not Found"})
    rsps.get(f"{REPO}/releases", json=[])


def tag_list(rsps, *pages):
    """The tag list over several pages, linked by rel="next"."""
    for number, names in enumerate(pages, 1):
        query = {"per_page": "100"} if number == 1 else {"per_page": "100", "page": str(number)}
        headers = {}
        if number < len(pages):
            headers["Link"] = f'<{REPO}/tags?per_page=100&page={number + 1}>; rel="next"'
        rsps.get(
            f"{REPO}/tags",
            json=[{"name": n, "commit": {"sha": COMMIT}} for n in names],
            headers=headers,
            match=[matchers.query_param_matcher(query)],
        )


def checks(rsps, runs=(), statuses=(), ref_=COMMIT):
    rsps.get(f"{REPO}/commits/{ref_}/check-runs", json={"total_count": len(runs), "check_runs": list(runs)})
    rsps.get(f"{REPO}/commits/{ref_}/statuses", json=list(statuses))


def run(name, conclusion="success", status="completed", started="2026-01-01T10:00:00Z", id_=1, url=""):
    return {
        "id": id_,
        "name": name,
        "status": status,
        "conclusion": conclusion if status == "completed" else None,
        "started_at": started,
        "html_url": url or f"https://github.test/octo/widget/runs/{id_}",
    }


def status(context, state="success", updated="2026-01-01T10:00:00Z", id_=1):
    return {"id": id_, "context": context, "state": state, "updated_at": updated, "target_url": ""}


def sentinel(tmp_path, cli, env=None, token=TOKEN):
    return run_sentinel(tmp_path, {"tag": "v1.1.0", **cli}, env=env, token=token)


# -- require-newer from the API (no local tags) ------------------------------------
def test_newer_from_paginated_api_tag_list(tmp_path, api):
    tag_list(api, ["v1.1.0", "v0.9.0"], ["v1.0.0", "v1.1.0-rc.1"])
    ref(api)
    no_release(api)
    result = sentinel(tmp_path, {})
    assert result.code == 0, result.log
    assert result.result("require-newer") == "pass"
    assert "tags from the GitHub API" in result.check("require-newer")["reason"]
    assert result.outputs["previous-tag"] == "v1.0.0"


def test_higher_tag_on_a_later_page_fails(tmp_path, api):
    tag_list(api, ["v1.1.0", "v1.0.0"], ["v1.10.0"])
    ref(api)
    no_release(api)
    result = sentinel(tmp_path, {})
    assert result.code == 1
    assert "not newer than v1.10.0" in result.check("require-newer")["reason"]


def test_previous_tag_from_the_api_needs_no_ancestry_check(tmp_path, api):
    tag_list(api, ["v1.1.0", "v1.0.1", "v1.0.0", "v1.1.0-rc.1"])  # v1.0.1: on a maintenance branch
    ref(api)
    no_release(api)
    result = sentinel(tmp_path, {})
    assert result.outputs["previous-tag"] == "v1.0.1"
    assert not [c for c in api.calls if "/compare/" in c.request.url], "the tag list is enough"


# -- require-commit from the API ---------------------------------------------------
def test_commit_from_api_peels_annotated_tag(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    result = sentinel(tmp_path, {}, env={"GITHUB_SHA": COMMIT})
    assert result.result("require-commit") == "pass", result.log
    assert "the GitHub API" in result.check("require-commit")["reason"]


def test_commit_from_api_mismatch(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api, annotated=False, commit=OTHER)
    no_release(api)
    result = sentinel(tmp_path, {}, env={"GITHUB_SHA": COMMIT})
    assert result.result("require-commit") == "fail"
    assert f"points at {OTHER[:12]}" in result.check("require-commit")["reason"]


def test_tag_missing_on_github(tmp_path, api):
    tag_list(api, [])
    api.get(f"{REPO}/git/ref/tags/v1.1.0", status=404, json={"message": "Not Found"})
    no_release(api)
    result = sentinel(tmp_path, {}, env={"GITHUB_SHA": COMMIT})
    assert result.code == 1
    assert result.check("tag-exists") == {
        "name": "tag-exists",
        "result": "fail",
        "reason": "tag v1.1.0 does not exist on GitHub (the workspace is not a git checkout)",
        "fix": "check the tag's name, or push it: git push origin v1.1.0",
    }
    assert result.result("require-commit") == "skip"


def test_tag_ref_answer_of_another_shape_is_an_error(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    api.get(f"{REPO}/git/ref/tags/v1.1.0", json={"ref": "refs/tags/v1.1.0"})
    no_release(api)
    result = sentinel(tmp_path, {})
    assert result.check("tag-exists")["reason"] == (
        "GitHub's answer to tag v1.1.0 (GET /repos/octo/widget/git/ref/tags/v1.1.0) has no 'object'"
    )
    assert "Traceback" not in result.log


# -- require-branch by the compare API ---------------------------------------------
@pytest.mark.parametrize(("state", "expected"), [("ahead", "pass"), ("identical", "pass"), ("diverged", "fail")])
def test_branch_by_compare_api(tmp_path, api, state, expected):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    api.get(f"{REPO}/branches/release/1.x", json={"name": "release/1.x"})
    api.get(f"{REPO}/compare/{COMMIT}...release/1.x", json={"status": state})
    result = sentinel(tmp_path, {"require-branch": "release/1.x"})
    assert result.result("require-branch") == expected, result.log
    assert f"compare API: {state}" in result.check("require-branch")["reason"]


def test_branch_unknown_to_github_says_it_does_not_exist(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    api.get(f"{REPO}/branches/nope", status=404, json={"message": "Branch not found"})
    result = sentinel(tmp_path, {"require-branch": "nope"})
    assert result.check("require-branch")["reason"] == "branch 'nope' does not exist on GitHub"
    assert not any("/compare/" in call.request.url for call in api.calls)


def test_compare_answer_without_status_is_an_error(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    api.get(f"{REPO}/branches/main", json={"name": "main"})
    api.get(f"{REPO}/compare/{COMMIT}...main", json={"commits": []})
    result = sentinel(tmp_path, {"require-branch": "main"})
    assert result.result("require-branch") == "fail"
    assert "has no 'status'" in result.check("require-branch")["reason"]


# -- required-checks ---------------------------------------------------------------
def test_required_checks_pass_from_runs_and_statuses(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    checks(api, runs=[run("test"), run("lint", conclusion="failure")], statuses=[status("ci/legacy")])
    result = sentinel(tmp_path, {"required-checks": "test, ci/legacy"})
    assert result.code == 0, result.log
    assert result.result("required-checks:test") == "pass"
    assert result.result("required-checks:ci/legacy") == "pass"
    assert result.sleeps == []


def test_required_check_failed(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    checks(api, runs=[run("test", conclusion="failure", url="https://github.test/x/runs/9")])
    result = sentinel(tmp_path, {"required-checks": "test"})
    assert result.code == 1
    assert result.check("required-checks:test")["reason"] == (
        "'test' check run concluded failure: https://github.test/x/runs/9"
    )


def test_newest_run_per_name_wins(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    runs = [
        run("test", "failure", started="2026-01-01T09:00:00Z", id_=1),
        run("test", "success", started="2026-01-01T11:00:00Z", id_=3),
        run("lint", "success", started="2026-01-01T09:00:00Z", id_=2),
        run("lint", "failure", started="2026-01-01T12:00:00Z", id_=4),
    ]
    statuses = [
        status("deploy", "success", "2026-01-01T12:00:00Z", 6),
        status("deploy", "failure", "2026-01-01T08:00:00Z", 5),
    ]
    checks(api, runs=runs, statuses=statuses)
    result = sentinel(tmp_path, {"required-checks": "test\nlint\ndeploy"})
    assert result.result("required-checks:test") == "pass"
    assert result.result("required-checks:lint") == "fail"
    assert result.result("required-checks:deploy") == "pass"


def test_check_runs_are_paginated(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    page2 = f"{REPO}/commits/{COMMIT}/check-runs?filter=all&per_page=100&page=2"
    api.get(
        f"{REPO}/commits/{COMMIT}/check-runs",
        json={"total_count": 101, "check_runs": [run(f"job-{i}", id_=i) for i in range(100)]},
        headers={"Link": f'<{page2}>; rel="next"'},
        match=[matchers.query_param_matcher({"filter": "all", "per_page": "100"})],
    )
    api.get(
        f"{REPO}/commits/{COMMIT}/check-runs",
        json={"total_count": 101, "check_runs": [run("late", id_=500)]},
        match=[matchers.query_param_matcher({"filter": "all", "per_page": "100", "page": "2"})],
    )
    api.get(f"{REPO}/commits/{COMMIT}/statuses", json=[])
    result = sentinel(tmp_path, {"required-checks": "late"})
    assert result.result("required-checks:late") == "pass", result.log


def test_pending_then_success_is_polled_without_waiting(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    pending = {"total_count": 1, "check_runs": [run("test", status="in_progress")]}
    api.get(f"{REPO}/commits/{COMMIT}/check-runs", json=pending)
    api.get(f"{REPO}/commits/{COMMIT}/check-runs", json=pending)
    api.get(f"{REPO}/commits/{COMMIT}/check-runs", json={"total_count": 1, "check_runs": [run("test")]})
    api.get(f"{REPO}/commits/{COMMIT}/statuses", json=[])
    result = sentinel(tmp_path, {"required-checks": "test", "checks-timeout": "300"})
    assert result.code == 0, result.log
    assert result.result("required-checks:test") == "pass"
    assert result.sleeps == [10.0, 15.0]  # polite, growing pauses
    assert any("waiting 10s for 'test'" in line for line in result.lines)


@pytest.mark.parametrize(
    ("runs_body", "missing"),
    [({"total_count": 1}, "'check_runs'"), ({"check_runs": []}, "'total_count'"), ([], "a list, not an object")],
)
def test_check_runs_answer_of_another_shape_is_an_error(tmp_path, api, runs_body, missing):
    # Read as "no check runs", this answer would let the green status of the same name pass.
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    api.get(f"{REPO}/commits/{COMMIT}/check-runs", json=runs_body)
    api.get(f"{REPO}/commits/{COMMIT}/statuses", json=[status("test")])
    result = sentinel(tmp_path, {"required-checks": "test"})
    assert result.code == 1
    check = result.check("required-checks")
    assert f"(GET /repos/octo/widget/commits/{COMMIT}/check-runs)" in check["reason"]
    assert missing in check["reason"]
    assert "GITHUB_API_URL" in check["fix"]


def test_check_run_without_its_status_is_an_error(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    checks(api, runs=[{"id": 1, "name": "test", "conclusion": "failure"}])
    result = sentinel(tmp_path, {"required-checks": "test"})
    assert "an item of the check runs" in result.check("required-checks")["reason"]
    assert "has no 'status'" in result.check("required-checks")["reason"]


def test_a_person_sees_the_wait_as_progress(tmp_path, api):
    """Outside Actions the wait reads ``waiting for test (0s of 5m)``, once, not one line per poll."""
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    pending = run("test", status="in_progress")
    for answer in (pending, pending, run("test")):
        api.get(f"{REPO}/commits/{COMMIT}/check-runs", json={"total_count": 1, "check_runs": [answer]})
    api.get(f"{REPO}/commits/{COMMIT}/statuses", json=[])
    result = sentinel(tmp_path, {"required-checks": "test", "checks-timeout": "300"}, env={"GITHUB_ACTIONS": ""})
    assert result.code == 0, result.log
    assert [line for line in result.lines if "waiting" in line] == ["waiting for test (0s of 5m)"]
    assert not any(line.startswith("::") for line in result.lines)


def test_missing_check_fails_not_found_at_the_deadline(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    checks(api, runs=[run("other")])
    result = sentinel(tmp_path, {"required-checks": "test", "checks-timeout": "60"})
    assert result.code == 1
    assert "'test' not found on the tagged commit" in result.check("required-checks:test")["reason"]
    assert sum(result.sleeps) == 60.0
    assert all(s <= 60 for s in result.sleeps)


def test_pending_with_no_timeout_fails_at_once(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    checks(api, statuses=[status("ci/slow", "pending")])
    result = sentinel(tmp_path, {"required-checks": "ci/slow"})
    assert result.code == 1
    assert "still pending (status) at the deadline" in result.check("required-checks:ci/slow")["reason"]
    assert result.sleeps == []


def test_own_job_is_never_waited_for(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    own = run("release", status="in_progress", url="https://github.test/octo/widget/actions/runs/77/job/5")
    checks(api, runs=[own, run("test")])
    env = {"GITHUB_JOB": "release", "GITHUB_RUN_ID": "77"}
    result = sentinel(tmp_path, {"required-checks": "test, release", "checks-timeout": "600"}, env=env)
    assert result.code == 0, result.log
    assert result.result("required-checks:release") == "skip"
    assert result.sleeps == []


def test_running_job_of_the_same_run_fails_at_once(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    sibling = run("Release gate", status="in_progress", url="https://github.test/octo/widget/actions/runs/77/job/6")
    checks(api, runs=[sibling])
    env = {"GITHUB_JOB": "gate", "GITHUB_RUN_ID": "77"}
    result = sentinel(tmp_path, {"required-checks": "Release gate", "checks-timeout": "600"}, env=env)
    assert result.code == 1
    assert "same workflow run" in result.check("required-checks:Release gate")["reason"]
    assert result.sleeps == []


# -- require-signed ----------------------------------------------------------------
def test_signed_tag_verified(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    result = sentinel(tmp_path, {"require-signed": "true"})
    assert result.result("require-signed") == "pass", result.log


def test_unsigned_annotated_tag_fails_with_githubs_reason(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api, verified=False, reason="unsigned")
    no_release(api)
    result = sentinel(tmp_path, {"require-signed": "true"})
    assert result.result("require-signed") == "fail"
    assert "(reason: 'unsigned')" in result.check("require-signed")["reason"]
    assert result.sleeps == []


def test_transient_verification_is_retried(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    api.get(f"{REPO}/git/ref/tags/v1.1.0", json={"object": {"type": "tag", "sha": TAG_OBJECT}})
    body = {"object": {"type": "commit", "sha": COMMIT}}
    api.get(
        f"{REPO}/git/tags/{TAG_OBJECT}",
        json={**body, "verification": {"verified": False, "reason": "gpgverify_unavailable"}},
    )
    api.get(f"{REPO}/git/tags/{TAG_OBJECT}", json={**body, "verification": {"verified": True, "reason": "valid"}})
    no_release(api)
    result = sentinel(tmp_path, {"require-signed": "true"})
    assert result.result("require-signed") == "pass", result.log
    assert result.sleeps == [2.0]
    assert len([c for c in api.calls if "/git/tags/" in c.request.url]) == 2


def test_transient_verification_reported_after_retries(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api, verified=False, reason="ocsp_pending")
    no_release(api)
    result = sentinel(tmp_path, {"require-signed": "true"})
    assert result.result("require-signed") == "fail"
    assert "ocsp_pending" in result.check("require-signed")["reason"]
    assert result.sleeps == [2.0, 4.0]


def test_lightweight_tag_on_github_cannot_be_signed(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api, annotated=False)
    no_release(api)
    result = sentinel(tmp_path, {"require-signed": "true"})
    assert "lightweight" in result.check("require-signed")["reason"]


# -- not-already-released ----------------------------------------------------------
def test_not_released_passes(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    result = sentinel(tmp_path, {})
    assert result.result("not-already-released") == "pass", result.log


def test_published_release_fails_with_its_url(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    url = "https://github.test/octo/widget/releases/tag/v1.1.0"
    api.get(f"{REPO}/releases/tags/v1.1.0", json={"tag_name": "v1.1.0", "draft": False, "html_url": url})
    result = sentinel(tmp_path, {})
    assert result.code == 1
    assert result.check("not-already-released")["reason"] == f"v1.1.0 already has a published release: {url}"


def test_rerun_of_the_same_run_takes_the_release_as_its_own(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    url = "https://github.test/octo/widget/releases/tag/v1.1.0"
    api.get(f"{REPO}/releases/tags/v1.1.0", json={"tag_name": "v1.1.0", "draft": False, "html_url": url})
    result = sentinel(tmp_path, {}, env={"GITHUB_RUN_ATTEMPT": "2"})
    check = result.check("not-already-released")
    assert check["result"] == "skip"
    assert (
        check["reason"]
        == f"v1.1.0 already has a published release: {url} — taken as this run's own (attempt 2 of the run)"
    )


def test_draft_release_fails(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    api.get(f"{REPO}/releases/tags/v1.1.0", status=404, json={"message": "Not Found"})
    api.get(
        f"{REPO}/releases",
        json=[{"tag_name": "v1.0.0", "draft": False}, {"tag_name": "v1.1.0", "draft": True, "html_url": "u"}],
    )
    result = sentinel(tmp_path, {})
    assert result.check("not-already-released")["reason"] == "v1.1.0 already has a draft release: u"


def test_release_event_skips_the_release_check(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    result = sentinel(tmp_path, {}, env={"GITHUB_EVENT_NAME": "release"})
    assert result.result("not-already-released") == "skip"


# -- API errors in words; the token never shows ------------------------------------
def test_invalid_token_is_reported_in_words(tmp_path, api):
    api.get(f"{REPO}/tags", status=401, json={"message": "Bad credentials"})
    api.get(f"{REPO}/releases/tags/v1.1.0", status=401, json={"message": "Bad credentials"})
    api.get(f"{REPO}/git/ref/tags/v1.1.0", status=401, json={"message": "Bad credentials"})
    result = sentinel(tmp_path, {}, env={"GITHUB_SHA": COMMIT})
    assert result.code == 1
    assert "GitHub rejected the token" in result.check("require-newer")["reason"]
    assert "GitHub rejected the token" in result.check("not-already-released")["reason"]
    assert "invalid or expired" in result.check("require-commit")["fix"]
    assert TOKEN not in result.log and TOKEN not in result.outputs["report"]


def test_rate_limit_says_until_when(tmp_path, api):
    limited = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1767225600"}  # 2026-01-01 00:00:00 UTC
    api.get(f"{REPO}/tags", status=403, json={"message": "API rate limit exceeded"}, headers=limited)
    no_release(api)
    result = sentinel(tmp_path, {})
    assert result.check("require-newer")["fix"].startswith("rate limited until 00:00:00 UTC")


def test_repository_not_found(tmp_path, api):
    api.get(f"{REPO}/tags", status=404, json={"message": "Not Found"})
    api.get(f"{REPO}/releases/tags/v1.1.0", status=404, json={"message": "Not Found"})
    api.get(f"{REPO}/releases", status=404, json={"message": "Not Found"})
    result = sentinel(tmp_path, {})
    assert "GitHub found nothing for the tag list" in result.check("require-newer")["reason"]
    assert "check that octo/widget exists" in result.check("require-newer")["fix"]


def test_bad_repository_fails_only_the_api_checks(tmp_path):
    result = run_sentinel(tmp_path, {"tag": "v1.1.0", "repository": "not a repo"}, token=TOKEN)
    assert result.result("tag-format") == "pass"
    assert "must be owner/name" in result.check("not-already-released")["reason"]


def test_token_without_repository_skips_api_checks_but_cannot_verify_the_tag(tmp_path):
    result = run_sentinel(tmp_path, {"tag": "v1.1.0"}, env={"GITHUB_REPOSITORY": ""}, token=TOKEN)
    assert result.code == 1
    assert result.check("tag-exists")["reason"] == (
        f"the workspace {tmp_path} is not a git checkout and no repository (owner/name) was given: "
        "tag v1.1.0 cannot be verified"
    )
    assert result.check("not-already-released") == {
        "name": "not-already-released",
        "result": "skip",
        "reason": "needs the GitHub API and no repository (owner/name) was given",
        "fix": "",
    }


def test_matrix_names_keep_their_commas():
    from sovereign.sentinel.required_checks import split_names

    assert split_names("test (ubuntu-latest, 3.12), lint\nci/x\n\nlint") == [
        "test (ubuntu-latest, 3.12)",
        "lint",
        "ci/x",
    ]


def test_queued_rerun_is_newer_than_an_old_failure(tmp_path, api):
    tag_list(api, ["v1.1.0"])
    ref(api)
    no_release(api)
    old = run("test", "failure", id_=10)
    queued = {"id": 11, "name": "test", "status": "queued", "conclusion": None, "started_at": None, "html_url": ""}
    checks(api, runs=[old, queued])
    result = sentinel(tmp_path, {"required-checks": "test"})
    assert "'test' is still queued (check run) at the deadline" in result.check("required-checks:test")["reason"]
