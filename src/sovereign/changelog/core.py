"""The changelog from its settings: plan the sources, collect, classify, render, write, publish, report."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sovereign import artifacts, preview, tags
from sovereign.changelog import template
from sovereign.changelog.render import Links, Meta, build, contributors, full_notes, markdown, truncate
from sovereign.changelog.settings import Settings
from sovereign.errors import SovereignError
from sovereign.gha import Secret, Step
from sovereign.github_env import run_url, server_url
from sovereign.gitrepo import GitRepo
from sovereign.markdown import escape, heading, table
from sovereign.notes import sources
from sovereign.notes.classify import classify
from sovereign.notes.group import group
from sovereign.notes.model import Collected

if TYPE_CHECKING:
    from sovereign.github import GitHub

SUMMARY_NOTES_LIMIT = 200_000  # the step summary holds 1 MiB; the notes are in the artifact anyway
OUTPUT_NOTES_LIMIT = 900_000  # a step output holds 1 MB; the file has everything


@dataclass
class Plan:
    """How this run gets its data, decided before anything is read."""

    use_git: bool
    use_api: bool
    why: str


def plan(source: str, repo: GitRepo, tag: str, has_token: bool) -> Plan:
    # One git call answers both "is this a checkout?" (empty when not) and "is it shallow?".
    shallow = repo.run("rev-parse", "--is-shallow-repository", check=False).strip()
    local = bool(shallow)
    if source == "github":
        if not has_token:
            raise SovereignError("source: github needs a token", "set github-token (it defaults to github.token)")
        return Plan(False, True, "source: github — everything from the API")
    if not local:
        if source == "auto" and has_token:
            return Plan(False, True, "no git checkout in the workspace: history from the API")
        raise SovereignError(
            "the workspace is not a git checkout", "add actions/checkout with fetch-depth: 0 before this step"
        )
    if shallow == b"true":
        if source == "auto" and has_token:
            return Plan(False, True, "the checkout is shallow: history from the API (fetch-depth: 0 avoids this)")
        raise SovereignError("the checkout is shallow: the release's history is incomplete", sources.SHALLOW_FIX)
    if source == "git":
        return Plan(True, False, "source: git — local history only, no API calls")
    if has_token:
        return Plan(True, True, "local history, pull-request data from the API")
    return Plan(True, False, "local history; no token, so pull requests come from merge and squash messages only")


def _github(step: Step, token: Secret, repository: str) -> GitHub | None:
    if not token:
        return None
    from sovereign.github import GitHub  # noqa: PLC0415 - requests is imported only when the API is used

    return GitHub(token, repository, step.environ)


def collect(
    step: Step,
    chosen: Plan,
    repo: GitRepo,
    gh: GitHub | None,
    *,
    given: str,
    tag: str,
    pull_url: str,
    scheme: str = "semver",
) -> tuple[sources.Range, Collected]:
    if chosen.use_git:
        span = sources.local_range(repo, tag, given, scheme)
        found = sources.local_commits(repo, span, pull_url)
        if chosen.use_api and gh is not None and found.commits:
            from sovereign.notes import pulls  # noqa: PLC0415 - only API runs pay for it

            api = pulls.pull_requests(gh, [c.sha for c in found.commits], pull_url, step.debug)
            found.prs.update(api)
            found.source = "git+github"
        return span, found
    assert gh is not None
    span = sources.api_range(gh, tag, given, scheme)
    return span, sources.api_commits(gh, span, pull_url)


def _date(found: Collected, span: sources.Range, repo: GitRepo, use_git: bool) -> str:
    stamp = next((c.time for c in found.commits if c.sha == span.tag_commit), None)
    if stamp is None and use_git:
        stamp = int(repo.text("show", "-s", "--format=%at", span.tag_commit) or 0)
    when = dt.datetime.fromtimestamp(stamp, dt.timezone.utc) if stamp else dt.datetime.now(dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def summary(
    doc: dict[str, object], notes: str, *, where: str, reason: str, why: str, requests: str, dry_run: bool
) -> str:
    stats = doc["stats"]
    assert isinstance(stats, dict)
    rows = [
        ["previous tag", escape(str(doc.get("previous_tag") or "none")) + " — " + escape(reason)],
        ["source", escape(why)],
        ["GitHub API", requests],  # our own words and numbers
        ["commits", str(stats["commits"])],
        ["pull requests", str(stats["prs"])],
        ["direct commits", str(stats["direct"])],
        ["breaking / security", f"{stats['breaking']} / {stats['security']}"],
        ["left out (see the JSON for why)", str(stats["excluded"])],
    ]
    head = heading("changelog", str(doc["tag"]), dry_run)
    body = notes if len(notes) < SUMMARY_NOTES_LIMIT else truncate(notes, where, SUMMARY_NOTES_LIMIT)
    return head + table(["", ""], rows) + "\n\n" + body + "\n"


def _publish(
    step: Step, gh: GitHub | None, tag: str, body: str, *, prerelease: bool, dry_run: bool, out_dir: Path, name: str
) -> str:
    """Create or update the release (or, in a dry run, save what would be sent); its URL."""
    from sovereign.changelog.publish import publish  # noqa: PLC0415 - only publishing runs pay for it

    published = publish(gh, tag, body, prerelease, dry_run, name=name)
    step.info(f"GitHub Release: {published.action} {published.url}".rstrip())
    if dry_run:
        request = json.dumps(published.request, indent=2, ensure_ascii=False)
        saved = artifacts.write(out_dir, artifacts.file_name("changelog-release-request", tag, "json"), request, step)
        sent = published.request["json"]["body"]
        step.info(f"dry-run: nothing sent; {published.request['method']} with {len(sent)} characters saved to {saved}")
    return published.url


def changelog(step: Step, settings: Settings) -> None:
    tag, repository, dry_run, out_dir = settings.tag, settings.repository, settings.dry_run, settings.out_dir
    if settings.config.warning:
        step.warning(settings.config.warning)
    if settings.config.notice:
        step.notice(settings.config.notice)
    repo = GitRepo(settings.workspace)
    gh = _github(step, settings.token, repository)

    chosen = plan(settings.source, repo, tag, gh is not None)
    step.info(f"changelog: {tag} in {repository} — {chosen.why}")
    links = Links(server_url(step.environ), repository)
    scheme = settings.version_scheme
    span, found = collect(
        step, chosen, repo, gh, given=settings.previous_tag, tag=tag, pull_url=links.base + "/pull", scheme=scheme
    )
    step.info(f"previous tag: {span.previous.tag or 'none'} — {span.previous.reason}")
    if span.previous.ignored:
        step.notice(
            f"{len(span.previous.ignored)} tag(s) that are not {scheme} were ignored when choosing the previous release"
        )

    grouped = group(found.commits, found.prs, span.tag_commit)
    classified = classify(grouped.changes, settings.config)
    split = tags.split_tag(tag, scheme)
    version = split[1] if split else None
    meta = Meta(
        tag=tag,
        version=str(version) if version else "",
        previous_tag=span.previous.tag,
        previous_reason=span.previous.reason,
        repository=repository,
        date=_date(found, span, repo, chosen.use_git),
        source=found.source,
    )
    doc = build(meta, classified, grouped.bare_merges, len(found.commits), links)
    listed = [item.change for _, items in classified.sections for item in items]
    _, logins = contributors(listed)
    if settings.config.layout.active:
        notes = template.render(doc, classified, logins, settings.config, scheme)
    else:
        notes = markdown(doc, logins)

    md_file = artifacts.write(out_dir, artifacts.file_name("changelog", tag, "md"), notes, step)
    json_name = artifacts.file_name("changelog", tag, "json")
    where = full_notes(run_url(step.environ), md_file.name)  # what a cut copy of the notes points to
    # Written before publishing too, so the notes survive a refused publish.
    json_path = artifacts.write(out_dir, json_name, json.dumps(doc, ensure_ascii=False) + "\n", step)

    release_url = ""
    if settings.publish_release:
        prerelease = bool(version and version.is_prerelease)
        release_url = _publish(
            step,
            gh,
            tag,
            truncate(notes, where),
            prerelease=prerelease,
            dry_run=dry_run,
            out_dir=out_dir,
            name=template.release_name(doc, settings.config, scheme),
        )
    if release_url:
        doc["release_url"] = release_url
        artifacts.write(out_dir, json_name, json.dumps(doc, ensure_ascii=False) + "\n", step)

    stats = doc["stats"]
    requests = gh.rate_note() if gh is not None else "no API calls (no token or source: git)"
    step.info(
        f"changelog: {stats['commits']} commit(s), {stats['prs']} pull request(s), {stats['direct']} direct, "
        f"{stats['breaking']} breaking, {stats['security']} security, {stats['excluded']} left out; {requests}"
    )
    for item in classified.excluded:
        step.debug(f"left out {item.change.head.sha[:12]}: {item.reason}")
    for output, value in (
        ("markdown", truncate(notes, where, OUTPUT_NOTES_LIMIT)),
        ("markdown-file", str(md_file)),
        ("json-file", str(json_path)),
        ("previous-tag", span.previous.tag or ""),
        ("commit-count", str(stats["commits"])),
        ("pr-count", str(stats["prs"])),
        ("contributor-count", str(stats["contributors"])),
        ("breaking-count", str(stats["breaking"])),
        ("security-count", str(stats["security"])),
        ("compare-url", doc.get("compare_url", "")),
        ("release-url", release_url),
    ):
        step.set_output(output, value)
    step.summary(
        summary(
            dict(doc),
            notes,
            where=where,
            reason=span.previous.reason,
            why=chosen.why,
            requests=requests,
            dry_run=dry_run,
        )
    )
    preview.refresh(out_dir, tag, step)
