"""The changelog against GitHub's API (``responses``): PR mapping, API-only history, budget, publishing.

The fake API answers from a real git repository, so what it says is what git
says; every GraphQL query it receives is validated against GitHub's published
schema when scripts/fetch-graphql-schema.sh has fetched it.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import responses
from changelog_scenario import realistic, run_stage
from fake_releases import Releases
from gitfactory import RepoBuilder

from sovereign.release import load

API = "https://api.github.example.com"
GRAPHQL = API + "/graphql"
SCHEMA_FILE = Path(__file__).resolve().parents[3] / ".cache" / "graphql-schema" / "schema.graphql"
_SCHEMA: list[Any] = []


def schema_errors(query: str) -> list[str]:
    """What GitHub's published schema finds wrong with ``query`` ([] when the schema is absent)."""
    if not SCHEMA_FILE.exists():
        return []
    from graphql import build_schema, parse, validate

    if not _SCHEMA:
        # GitHub's SDL trips graphql-core's own schema lint (deprecations); the types are what matter.
        text = SCHEMA_FILE.read_text(encoding="utf-8")
        _SCHEMA.append(build_schema(text, assume_valid_sdl=True, assume_valid=True))
    return [error.message for error in validate(_SCHEMA[0], parse(query))]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, text=True).stdout


class FakeGitHub:
    """GitHub's GraphQL and REST, answered from a real repository and a table of pull requests."""

    def __init__(
        self,
        repo: Path,
        prs: dict[str, dict[str, Any]],
        page: int = 100,
        users: dict[str, str] | None = None,
        crowd: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self.repo = repo
        self.prs = prs  # commit sha -> PR node
        self.page = page
        self.users = users  # e-mail -> login of the GitHub user; None: every non-bot name, lower-cased
        self.crowd = crowd or {}  # commit sha -> other PRs that contain it, listed before the one that merged it
        self.queries: list[str] = []
        self.releases = Releases()
        self.invalid: list[str] = []  # schema errors of the queries received

    def install(self, rsps: responses.RequestsMock) -> None:
        headers = {"x-ratelimit-remaining": "4321", "x-ratelimit-reset": "1700000000"}
        rsps.add_callback(responses.POST, GRAPHQL, callback=lambda r: (200, headers, json.dumps(self.graphql(r))))
        rsps.add_callback(
            responses.GET,
            re.compile(rf"{re.escape(API)}/repos/octo/widget/compare/.*"),
            callback=lambda r: (200, headers, json.dumps(self.compare(r.url))),
        )
        releases = re.compile(rf"{re.escape(API)}/repos/octo/widget/releases(/.*)?(\\?.*)?$")
        for method in (responses.GET, responses.POST, responses.PATCH):
            rsps.add_callback(method, releases, callback=self.release_call)

    # -- GraphQL --------------------------------------------------------------
    def graphql(self, request: Any) -> dict[str, Any]:
        body = json.loads(request.body)
        query, variables = body["query"], body["variables"]
        self.queries.append(query)
        self.invalid += schema_errors(query)
        if "refs(refPrefix" in query:
            return {"data": {"repository": {"refs": self.tags()}}}
        if "history(first" in query:
            return {"data": {"repository": {"object": {"history": self.history(variables["oid"], variables["after"])}}}}
        lookups = re.findall(r'(c(\d+)): object\(oid: "([0-9a-f]{40})"\)', query)
        assert 0 < len(lookups) <= 100, "batches of at most 100 commits"
        first = int(re.findall(r"associatedPullRequests\(first: (\d+)", query)[0])
        return {
            "data": {
                "repository": {alias: self.associated(sha, variables.get(f"a{i}"), first) for alias, i, sha in lookups}
            }
        }

    def associated(self, sha: str, after: str | None = None, first: int = 5) -> dict[str, Any]:
        pr = self.prs.get(sha)
        every = [*self.crowd.get(sha, []), *([pr] if pr else [])]
        start = int(after or 0)
        more = start + first < len(every)
        name, email = git(self.repo, "show", "-s", "--format=%an%x1f%ae", sha).strip().split("\x1f")
        return {
            "author": {"user": self.user(name, email)},
            "associatedPullRequests": {
                "pageInfo": {"hasNextPage": more, "endCursor": str(start + first) if more else None},
                "nodes": every[start : start + first],
            },
        }

    def user(self, name: str, email: str) -> dict[str, str] | None:
        """The commit author's GitHub user, as GitHub links it by address; bots are not Users."""
        if self.users is not None:
            return {"login": self.users[email]} if email in self.users else None
        return None if name.endswith("[bot]") else {"login": name.lower()}

    def tags(self) -> dict[str, Any]:
        nodes = []
        for line in git(
            self.repo, "for-each-ref", "--format=%(refname:strip=2) %(objectname) %(*objectname)", "refs/tags"
        ).splitlines():
            name, obj, *peeled = line.split()
            target: dict[str, Any] = {"oid": obj}
            if peeled:
                target["target"] = {"oid": peeled[0]}
            nodes.append({"name": name, "target": target})
        return {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": nodes}

    def history(self, oid: str, after: str | None) -> dict[str, Any]:
        shas = git(self.repo, "rev-list", oid).split()
        start = int(after or 0)
        nodes = []
        for sha in shas[start : start + self.page]:
            raw = git(self.repo, "show", "-s", "--format=%P%x1f%an%x1f%ae%x1f%aI%x1f%B", sha)
            parents, name, email, when, message = raw.split("\x1f", 4)
            user = self.user(name, email)
            nodes.append(
                {
                    "oid": sha,
                    "message": message.rstrip("\n"),
                    "authoredDate": when,
                    "author": {"name": name, "email": email, "user": user},
                    "parents": {"nodes": [{"oid": p} for p in parents.split()]},
                    "associatedPullRequests": self.associated(sha)["associatedPullRequests"],
                }
            )
        more = start + self.page < len(shas)
        return {
            "pageInfo": {"hasNextPage": more, "endCursor": str(start + self.page) if more else None},
            "nodes": nodes,
        }

    # -- REST -----------------------------------------------------------------
    def compare(self, url: str) -> dict[str, Any]:
        base, head = url.split("/compare/")[1].split("?", maxsplit=1)[0].split("...")
        ancestor = subprocess.run(["git", "-C", str(self.repo), "merge-base", "--is-ancestor", base, head], check=False)
        ahead = len(git(self.repo, "rev-list", f"{base}..{head}").split())
        behind = len(git(self.repo, "rev-list", f"{head}..{base}").split())
        return {
            "status": "ahead" if ancestor.returncode == 0 else "diverged",
            "merge_base_commit": {"sha": git(self.repo, "merge-base", base, head).strip()},
            "ahead_by": ahead,
            "behind_by": behind,
        }

    def release_call(self, request: Any) -> tuple[int, dict[str, str], str]:
        answer = self.releases.handle(request.method, request.url, request.body)
        assert answer is not None, request.url
        return answer[0], {}, json.dumps(answer[1])

    @property
    def writes(self) -> list[tuple[str, dict[str, Any]]]:
        return self.releases.writes


def pr(
    number: int, title: str, merge: str, labels: tuple[str, ...] = (), author: str = "carol", body: str = ""
) -> dict[str, Any]:
    return {
        "number": number,
        "title": title,
        "merged": True,
        "body": body,
        "author": {"login": author},
        "labels": {"nodes": [{"name": label} for label in labels]},
        "mergeCommit": {"oid": merge},
    }


def pr_table(shas: dict[str, str]) -> dict[str, dict[str, Any]]:
    one = pr(1, "Add feature A", shas["merge"], ("enhancement",))
    three = pr(3, "Speed up the index", shas["rebase2"], ("performance",), author="erin")
    unmerged = {**pr(9, "An abandoned attempt", ""), "merged": False}
    return {
        shas["merge"]: one,
        shas["a1"]: one,
        shas["a2"]: one,
        shas["squash"]: pr(2, "fix(parser): handle empty input", shas["squash"], ("bug",), author="dave"),
        shas["rebase1"]: three,
        shas["rebase2"]: three,
        shas["direct"]: unmerged,  # an open PR containing a direct push does not claim it
    }


ENV = {"GITHUB_API_URL": API, "GITHUB_GRAPHQL_URL": GRAPHQL, "GITHUB_SERVER_URL": "https://github.example.com"}


def run_api(workspace: Path, **flags: str) -> tuple[int, list[str], Any]:
    return run_stage(workspace, env=ENV, **{"github-token": "ghs_faketoken1234", **flags})


def budget(commits: int, prs: int) -> int:
    return math.ceil(commits / 100) + math.ceil(prs / 100) + 5


@pytest.fixture
def scenario(tmp_path):
    repo = RepoBuilder(tmp_path / "repo")
    shas = realistic(repo)
    return repo, shas


def outline(doc: Any) -> list[Any]:
    return [(s["title"], [(e["commit"], e["pr"], e["title"]) for e in s["entries"]]) for s in doc["sections"]]


def entries_of(doc: Any) -> dict[str, Any]:
    return {e["commit"]: e for s in doc["sections"] for e in s["entries"]}


def test_every_query_matches_githubs_published_schema():
    if not SCHEMA_FILE.exists():
        pytest.skip("GitHub's GraphQL schema is not fetched: run scripts/fetch-graphql-schema.sh (needs npm)")
    from sovereign.notes import pulls

    shas = ["a" * 40, "b" * 40]
    for query in (
        pulls.HISTORY_QUERY,
        pulls.TAGS_QUERY,
        pulls.associated_query(shas),
        pulls.associated_query(shas, paged=True),
    ):
        assert schema_errors(query) == []
    assert schema_errors('query { repository(owner: "o", name: "n") { nope } }'), "the check can fail"


@responses.activate
def test_auto_maps_every_merge_kind_to_its_pr_in_one_request(scenario):
    repo, shas = scenario
    fake = FakeGitHub(repo.path, pr_table(shas))
    fake.install(responses.mock)
    code, lines, step = run_api(repo.path, tag="v1.1.0")
    assert code == 0, lines
    doc = load(step.outputs["json-file"])
    entries = entries_of(doc)
    assert entries[shas["merge"]]["how"] == "merge commit"
    assert entries[shas["squash"]]["how"] == "squash merge"
    rebase = entries[shas["rebase2"]]
    assert (rebase["pr"], rebase["how"], rebase["author"], rebase["labels"]) == (
        3,
        "rebase merge",
        "erin",
        ["performance"],
    )
    assert rebase["commits"] == [shas["rebase2"], shas["rebase1"]]
    assert entries[shas["direct"]]["pr"] is None, "direct pushes stay, as commits"
    assert doc["stats"]["prs"] == 3 and doc["stats"]["commits"] == 16
    assert len(responses.calls) == 1 <= budget(16, 3)
    assert fake.invalid == []
    assert "1 GitHub request(s), rate limit remaining 4321" in step_summary(step, lines)


def step_summary(step: Any, lines: list[str]) -> str:
    return "\n".join(lines)


@responses.activate
def test_github_source_gives_the_same_notes_from_the_api_alone(scenario, tmp_path):
    repo, shas = scenario
    fake = FakeGitHub(repo.path, pr_table(shas), page=5)  # small pages: the walk must cross pages and stop
    fake.install(responses.mock)
    code, lines, step = run_api(repo.path, tag="v1.1.0")
    local = load(step.outputs["json-file"])
    responses.calls.reset()
    empty = tmp_path / "no-checkout"
    empty.mkdir()
    code, lines, step = run_api(empty, tag="v1.1.0", source="github")
    assert code == 0, lines
    remote = load(step.outputs["json-file"])
    assert remote["previous_tag"] == "v1.0.1"
    assert outline(remote) == outline(local)
    assert remote["stats"]["commits"] == 16
    history_pages = sum("history(first" in q for q in fake.queries)
    total = len(git(repo.path, "rev-list", "v1.1.0").split())
    # The tag's history down to where it meets v1.0.1's branch (the root here), and that branch's one page.
    assert history_pages <= math.ceil(total / 5) + 1
    assert len(responses.calls) <= budget(16 * 20, 3), "pages of 5 stand in for pages of 100"
    assert fake.invalid == []


@responses.activate
def test_request_budget_holds_for_hundreds_of_commits(tmp_path):
    repo = RepoBuilder(tmp_path / "repo")
    repo.commit("chore: start")
    repo.tag("v1.0.0")
    stream = ["feature"]
    for i in range(250):
        stream.append(
            f"commit refs/heads/main\ncommitter T <t@example.com> {1_700_000_000 + i} +0000\ndata <<EOF\nfix: change {i}\nEOF\n"
        )
    head = repo.head()
    script = f"reset refs/heads/main\nfrom {head}\n\n" + "\n".join(stream[1:])
    subprocess.run(["git", "-C", str(repo.path), "fast-import", "--quiet"], input=script.encode(), check=True)
    repo.git("reset", "-q", "--hard", "main")
    repo.tag("v1.1.0")
    shas = git(repo.path, "rev-list", "v1.0.0..v1.1.0").split()
    prs = {sha: pr(1000 + i, f"fix: change {i}", sha) for i, sha in enumerate(shas)}
    FakeGitHub(repo.path, prs).install(responses.mock)
    code, lines, step = run_api(repo.path, tag="v1.1.0")
    assert code == 0, lines
    assert step.outputs["pr-count"] == "250"
    assert len(responses.calls) == 3 <= budget(250, 250)


@responses.activate
def test_shallow_checkout_falls_back_to_the_api_in_auto(scenario, tmp_path):
    repo, shas = scenario
    FakeGitHub(repo.path, pr_table(shas)).install(responses.mock)
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "v1.1.0", f"file://{repo.path}", str(clone)], check=True
    )
    code, lines, step = run_api(clone, tag="v1.1.0")
    assert code == 0, lines
    assert any("the checkout is shallow: history from the API" in line for line in lines)
    assert step.outputs["commit-count"] == "16"


def test_shallow_checkout_in_git_mode_says_how_to_fix_it(scenario, tmp_path):
    repo, _ = scenario
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "v1.1.0", f"file://{repo.path}", str(clone)], check=True
    )
    code, lines, _ = run_stage(clone, tag="v1.1.0", source="git")
    assert code == 1
    assert [line for line in lines if line.startswith("::error")] == [
        "::error title=changelog::the checkout is shallow: the release's history is incomplete — check out the full "
        "history: actions/checkout with `fetch-depth: 0` (or use source: auto with a token)"
    ]


@responses.activate
def test_token_without_access_is_a_clear_error(scenario):
    repo, _ = scenario
    responses.add(responses.POST, GRAPHQL, json={"message": "Bad credentials"}, status=401)
    code, lines, _ = run_api(repo.path, tag="v1.1.0")
    assert code == 1
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == 1 and "GitHub rejected the token" in errors[0]
    assert "ghs_faketoken1234" not in "\n".join(line for line in lines if not line.startswith("::add-mask::"))


@responses.activate
def test_publish_creates_then_updates_never_duplicates(scenario):
    repo, shas = scenario
    fake = FakeGitHub(repo.path, pr_table(shas))
    fake.install(responses.mock)
    code, lines, step = run_api(repo.path, tag="v1.1.0", **{"publish-release": "true"})
    assert code == 0, lines
    assert step.outputs["release-url"] == "https://github.example.com/octo/widget/releases/tag/v1.1.0"
    code, lines, step = run_api(repo.path, tag="v1.1.0", **{"publish-release": "true"})
    assert code == 0, lines
    assert [method for method, _ in fake.writes] == ["POST", "PATCH"]
    assert fake.writes[0][1]["prerelease"] is False
    assert load(step.outputs["json-file"])["release_url"] == step.outputs["release-url"]
    code, lines, step = run_api(repo.path, tag="v1.1.0-rc.1", **{"publish-release": "true"})
    assert fake.writes[-1] == ("POST", fake.writes[-1][1]) and fake.writes[-1][1]["prerelease"] is True


@responses.activate
def test_publish_in_dry_run_sends_nothing_and_saves_the_request(scenario):
    repo, shas = scenario
    fake = FakeGitHub(repo.path, pr_table(shas))
    fake.install(responses.mock)
    code, lines, _ = run_api(repo.path, tag="v1.1.0", **{"publish-release": "true", "dry-run": "true"})
    assert code == 0, lines
    assert fake.writes == []
    assert all(call.request.method in ("GET",) or call.request.url == GRAPHQL for call in responses.calls)
    saved = json.loads((repo.path / "sovereign-artifacts" / "changelog-release-request-v1.1.0.json").read_text())
    assert saved["method"] == "POST" and saved["json"]["tag_name"] == "v1.1.0"
    assert "ghs_faketoken1234" not in json.dumps(saved)


def test_dry_run_publish_without_any_token_works(scenario):
    repo, _ = scenario
    code, lines, step = run_stage(repo.path, tag="v1.1.0", **{"publish-release": "true", "dry-run": "true"})
    assert code == 0, lines
    assert step.outputs["release-url"] == ""


@responses.activate
def test_api_history_walk_keeps_an_old_branch_merged_after_the_previous_tag(tmp_path):
    repo = RepoBuilder(tmp_path / "repo")
    repo.commit("chore: root")
    repo.branch("old")
    repo.checkout("old")
    repo.commit("feat: long-lived branch", files={"old.txt": "x"})  # older than the previous tag, yet in the range
    repo.checkout("main")
    repo.commit("fix: on main", files={"main.txt": "y"})
    repo.tag("v1.0.0")
    repo.merge("old", "Merge pull request #5 from octo/old\n\nOld work")
    repo.commit("docs: after the merge")
    repo.tag("v1.1.0")
    fake = FakeGitHub(repo.path, {}, page=1)
    fake.install(responses.mock)
    empty = tmp_path / "no-checkout"
    empty.mkdir()
    code, lines, step = run_api(empty, tag="v1.1.0", source="github")
    assert code == 0, lines
    doc = load(step.outputs["json-file"])
    listed = sorted(sha for s in doc["sections"] for e in s["entries"] for sha in e["commits"])
    assert listed == sorted(git(repo.path, "rev-list", "v1.0.0..v1.1.0").split())
    assert sorted(str(e["pr"]) for s in doc["sections"] for e in s["entries"]) == ["5", "None"], (
        "the merge names its PR"
    )
    assert sum("history(first" in q for q in fake.queries) <= 5, "stops once the range is complete"


def people_history(repo: RepoBuilder) -> dict[str, str]:
    """One person as a PR author, a direct committer under another address, and a co-author."""
    shas: dict[str, str] = {}
    repo.commit("chore: start", author="Mia Stone <mia@example.com>")
    repo.tag("v1.0.0")
    repo.branch("carol-feature")
    repo.checkout("carol-feature")
    shas["c1"] = repo.commit("feat: add the ledger", author="Carol Smith <carol@work.example>")
    repo.checkout("main")
    shas["merge"] = repo.merge("carol-feature", "Merge pull request #7 from carol/feature\n\nAdd the ledger")
    shas["direct"] = repo.commit("fix: ledger rounding", author="Carol Smith <carol@home.example>")
    shas["noreply"] = repo.commit(
        "docs: ledger guide\n\nCo-authored-by: Carol Smith <carol@home.example>\nCo-authored-by: Ned Park <ned@example.com>",
        author="Dev Rao <4242+devrao@users.noreply.github.com>",
    )
    shas["bot"] = repo.commit(
        "chore(deps): bump ledger-lib from 1 to 2 (#8)",
        author="dependabot[bot] <1+dependabot[bot]@users.noreply.github.com>",
    )
    repo.tag("v1.1.0")
    return shas


USERS = {"carol@work.example": "carol", "carol@home.example": "carol", "4242+devrao@users.noreply.github.com": "devrao"}


@responses.activate
def test_git_auto_and_github_count_the_same_people(tmp_path):
    repo = RepoBuilder(tmp_path / "repo")
    shas = people_history(repo)
    bot = {
        **pr(8, "chore(deps): bump ledger-lib from 1 to 2", shas["bot"]),
        "author": {"login": "dependabot", "__typename": "Bot"},
    }
    prs = {shas["merge"]: pr(7, "Add the ledger", shas["merge"]), shas["c1"]: pr(7, "Add the ledger", shas["merge"])}
    fake = FakeGitHub(repo.path, {**prs, shas["bot"]: bot}, users=USERS)
    fake.install(responses.mock)
    git_doc = load(run_stage(repo.path, tag="v1.1.0", source="git")[2].outputs["json-file"])
    code, lines, step = run_api(repo.path, tag="v1.1.0")
    assert code == 0, lines
    auto = load(step.outputs["json-file"])
    auto_notes = Path(step.outputs["markdown-file"]).read_text(encoding="utf-8")
    empty = tmp_path / "no-checkout"
    empty.mkdir()
    remote = load(run_api(empty, tag="v1.1.0", source="github")[2].outputs["json-file"])

    # git ties Carol's two addresses by her name, Dev by his noreply login; the API by their logins.
    assert git_doc["contributors"] == ["Carol Smith", "Dev Rao", "Ned Park"]
    assert auto["contributors"] == remote["contributors"] == ["carol", "devrao", "Ned Park"]
    assert auto["stats"]["contributors"] == git_doc["stats"]["contributors"] == 3
    assert "### Contributors\n\n@carol, @devrao, Ned Park\n" in auto_notes, "only API-resolved logins are mentions"
    entries = entries_of(auto)
    assert entries[shas["direct"]]["author"] == "carol", "a direct commit's author is the API's login in auto"
    assert entries[shas["bot"]]["author"] == "dependabot[bot]", "GraphQL's Bot login gets its [bot] back"
    assert "by dependabot[bot]" in auto_notes and "@dependabot" not in auto_notes
    assert fake.invalid == []


# -- issue 13: ranges across branches, paging edge cases ------------------------------
def listed_shas(doc: Any) -> list[str]:
    return sorted(sha for s in doc["sections"] for e in s["entries"] for sha in e["commits"])


def api_only(tmp_path: Path, tag: str) -> tuple[int, list[str], Any]:
    empty = tmp_path / "no-checkout"
    empty.mkdir(exist_ok=True)
    return run_api(empty, tag=tag, source="github")


@responses.activate
def test_api_walk_does_not_trust_commit_dates(tmp_path):
    """A commit whose clock was years behind comes after its own parents in GitHub's history."""
    repo = RepoBuilder(tmp_path / "repo")
    repo.commit("chore: root", {"r.txt": "r"})
    repo.commit("feat: base", {"y.txt": "y"})
    repo.branch("feature")
    behind = {"GIT_AUTHOR_DATE": "@1500000000 +0000", "GIT_COMMITTER_DATE": "@1500000000 +0000"}
    repo.git("commit", "-q", "--allow-empty", "-m", "fix: on main", env=behind)
    repo.tag("v1.0.0")
    repo.checkout("feature")
    repo.commit("feat: on the branch", {"f.txt": "f"})
    repo.checkout("main")
    repo.merge("feature", "Merge pull request #7 from octo/feature\n\nBranch work")
    repo.tag("v1.1.0")
    order = git(repo.path, "rev-list", "v1.1.0").split()
    assert order[-1] == git(repo.path, "rev-parse", "v1.0.0").strip(), "the previous tag comes last"
    FakeGitHub(repo.path, {}, page=1).install(responses.mock)
    code, lines, step = api_only(tmp_path, "v1.1.0")
    assert code == 0, lines
    doc = load(step.outputs["json-file"])
    assert listed_shas(doc) == sorted(git(repo.path, "rev-list", "v1.0.0..v1.1.0").split())
    assert doc["stats"]["commits"] == 2


@responses.activate
def test_the_merging_pull_request_is_found_beyond_the_first_five(tmp_path):
    repo = RepoBuilder(tmp_path / "repo")
    repo.commit("chore: start")
    repo.tag("v1.0.0")
    sha = repo.commit("fix: keep the socket open")  # no (#N): only the API knows its PR
    repo.tag("v1.1.0")
    elsewhere = [pr(60 + i, f"release branch sync {i}", "f" * 40) for i in range(6)]  # merged elsewhere
    fake = FakeGitHub(repo.path, {sha: pr(50, "fix: keep the socket open", sha)}, crowd={sha: elsewhere})
    fake.install(responses.mock)
    code, lines, step = run_api(repo.path, tag="v1.1.0")
    assert code == 0, lines
    entry = entries_of(load(step.outputs["json-file"]))[sha]
    assert (entry["pr"], entry["how"]) == (50, "squash merge")
    assert sum("after: $a0" in q for q in fake.queries) == 1, "one more page, for that commit only"
    assert fake.invalid == []


@pytest.mark.parametrize(
    "body",
    [
        {"errors": "something broke"},
        {"errors": ["something broke"]},
        {"errors": {"message": "something broke"}},
        {"errors": [{"message": "something\nbroke"}]},
    ],
)
@responses.activate
def test_graphql_errors_of_any_shape_are_one_clear_error(scenario, body):
    repo, _ = scenario
    responses.add(responses.POST, GRAPHQL, json=body)
    code, lines, _ = run_api(repo.path, tag="v1.1.0")
    errors = [line for line in lines if line.startswith("::error")]
    assert code == 1 and len(errors) == 1, lines
    assert "GitHub GraphQL refused pull requests of the release's commits: something broke —" in errors[0]
    assert not any("Traceback" in line or "internal error" in line for line in lines)


@responses.activate
def test_graphql_answer_without_data_is_a_clear_error(scenario):
    repo, _ = scenario
    responses.add(responses.POST, GRAPHQL, json={"message": "ok"})
    code, lines, _ = run_api(repo.path, tag="v1.1.0")
    assert code == 1
    assert [line for line in lines if line.startswith("::error")] == [
        "::error title=changelog::GitHub GraphQL answered pull requests of the release's commits without data "
        "— check GITHUB_GRAPHQL_URL"
    ]


@responses.activate
def test_api_range_across_branches_uses_the_trailers_and_says_what_it_cannot_know(tmp_path):
    from maintenance_history import cherry_pick

    repo = RepoBuilder(tmp_path / "repo")
    repo.commit("feat: first", {"a.txt": "a"})
    repo.tag("v9.0.0")
    repo.branch("9.0.x")
    picked = repo.commit("fix: close the handle", {"c.txt": "c"})
    plain = repo.commit("fix: patch only", {"p.txt": "p"})
    new = repo.commit("feat: stream", {"d.txt": "d"})
    repo.checkout("9.0.x")
    cherry_pick(repo, picked)  # -x: the trailer names the original
    cherry_pick(repo, plain, False)  # no trailer: only a patch id ties it
    repo.tag("v9.0.1")
    repo.checkout("main")
    repo.tag("v9.1.0")
    FakeGitHub(repo.path, {}, page=2).install(responses.mock)
    code, lines, step = api_only(tmp_path, "v9.1.0")
    assert code == 0, lines
    remote = load(step.outputs["json-file"])
    assert remote["previous_tag"] == "v9.0.1"
    assert "from the API alone, same-patch copies cannot be recognised" in remote["previous_tag_reason"]  # type: ignore[typeddict-item]
    assert {sha: x["reason"] for x in remote["excluded"] for sha in x["commits"]} == {
        picked: "already released in v9.0.1"
    }
    assert listed_shas(remote) == sorted([plain, new])
    code, lines, step = run_stage(repo.path, tag="v9.1.0", source="git")
    here = load(step.outputs["json-file"])
    assert {sha: x["reason"] for x in here["excluded"] for sha in x["commits"]} == {
        picked: "already released in v9.0.1",
        plain: "already released in v9.0.1",
    }, "git compares patches too"
