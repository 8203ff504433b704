"""The changelog from its settings: plan the sources, collect, classify, render, write, publish, report."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from sovereign import artifacts, preview, tags
from sovereign.changelog import template
from sovereign.changelog.render import BODY_LIMIT, Links, Meta, build, full_notes, markdown, truncate
from sovereign.changelog.settings import Settings
from sovereign.gha import Secret, Step
from sovereign.github_env import run_url, server_url
from sovereign.gitrepo import GitRepo
from sovereign.markdown import escape, heading, plural, table
from sovereign.notes import bump, gather, sources
from sovereign.notes.classify import Classified, classify
from sovereign.notes.config import Config
from sovereign.notes.group import group
from sovereign.notes.model import Collected
from sovereign.notes.people import Person, contributors
from sovereign.notes.prune import prune
from sovereign.release import DRAFT_MARKER, Changelog

if TYPE_CHECKING:
    from sovereign.github import GitHub

SUMMARY_NOTES_LIMIT = 200_000  # the step summary holds 1 MiB; the notes are in the artifact anyway
OUTPUT_NOTES_LIMIT = 900_000  # a step output holds 1 MB; the file has everything
BODY_ROOM = BODY_LIMIT - len(DRAFT_MARKER) - 4  # a release body, leaving room for a draft's marker


def _github(step: Step, token: Secret, repository: str) -> GitHub | None:
    if not token:
        return None
    from sovereign.github import GitHub  # noqa: PLC0415 - requests is imported only when the API is used

    return GitHub(token, repository, step.environ)


def _date(found: Collected, span: sources.Range, repo: GitRepo, use_git: bool) -> str:
    stamp = next((c.time for c in found.commits if c.sha == span.tag_commit), None)
    if stamp is None and use_git:
        stamp = int(repo.text("show", "-s", "--format=%at", span.tag_commit) or 0)
    when = dt.datetime.fromtimestamp(stamp, dt.timezone.utc) if stamp else dt.datetime.now(dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _deciding(decision: bump.Bump, links: Links) -> list[dict[str, object]]:
    """The changes that called for the bump, for the JSON and the summary."""
    return [
        {
            "commit": item.change.head.sha,
            "title": item.title,
            "pr": item.change.pr.number if item.change.pr else None,
            "url": links.pull(item.change.pr.number) if item.change.pr else links.commit(item.change.head.sha),
        }
        for item in decision.deciding
    ]


def next_release(classified: Classified, settings: Settings, span: sources.Range, links: Links) -> dict[str, object]:
    """What the changes call for: the bump, the next version and tag (in the previous release's pattern)."""
    scheme = settings.version_scheme
    previous = tags.split_tag(span.previous.tag, scheme) if span.previous.tag else None
    own = None if settings.unreleased else tags.split_tag(settings.tag, scheme)
    prefix = own[0] if own else previous[0] if previous else ("v" if scheme == "semver" else "")
    decision = bump.needed(classified, settings.config, previous[1] if previous else None)
    version = bump.next_version(previous[1] if previous else None, decision.level, scheme)
    return {
        "bump": decision.level,
        "bump_reason": decision.why,
        "bump_commits": _deciding(decision, links),
        "next_version": str(version) if version else "",
        "next_tag": bump.next_tag(prefix, version),
    }


def _decided_by(doc: dict[str, object], shown: int = 10) -> str:
    found = doc.get("bump_commits")
    assert isinstance(found, list)
    parts = [
        f"{str(c['commit'])[:7]} {escape(str(c['title']))}" + (f" (#{c['pr']})" if c["pr"] else "")
        for c in found[:shown]
    ]
    more = f"; … and {len(found) - shown} more (see the JSON)" if len(found) > shown else ""
    return "; ".join(parts) + more or "nothing"


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
        ["bump", f"{doc['bump']} — {escape(str(doc['bump_reason']))}"],
        ["next version", escape(str(doc["next_tag"])) or "none: nothing calls for a release"],
        ["decided by", _decided_by(doc)],
    ]
    head = heading("changelog", str(doc.get("ref") or doc["tag"]), dry_run)
    if doc.get("unreleased"):
        head = head.rstrip("\n") + " — unreleased changes\n\n"
    body = notes if len(notes) < SUMMARY_NOTES_LIMIT else truncate(notes, where, SUMMARY_NOTES_LIMIT)
    return head + table(["", ""], rows) + "\n\n" + body + "\n"


def _publish(
    step: Step,
    gh: GitHub | None,
    settings: Settings,
    body: str,
    *,
    tag: str,
    prerelease: bool,
    target: str,
    name: str = "",
) -> str:
    """Create or update the release, or the draft of the next one (in a dry run, save what would be sent); its URL."""
    from sovereign.changelog.publish import keep_draft, publish  # noqa: PLC0415 - only publishing runs pay for it

    dry_run, out_dir = settings.dry_run, settings.out_dir
    if settings.draft_release:
        published = keep_draft(gh, tag, body, target=target, scheme=settings.version_scheme, dry_run=dry_run)
    else:
        published = publish(gh, tag, body, prerelease, dry_run, scheme=settings.version_scheme, name=name)
    step.info(f"GitHub Release: {published.action} {published.url}".rstrip())
    if dry_run:
        request = json.dumps(published.request, indent=2, ensure_ascii=False)
        saved = artifacts.write(out_dir, artifacts.file_name("changelog-release-request", tag, "json"), request, step)
        sent = published.request["json"]["body"]
        nothing = f"dry-run: nothing sent; {published.request['method']} with {len(sent)} characters saved to {saved}"
        step.payload("GitHub Release request (dry-run, not sent)", published.request, saved, actions=[nothing])
    return published.url


def _range(step: Step, settings: Settings, read: gather.Reader) -> sources.Range:
    scheme = settings.version_scheme
    if settings.unreleased:
        span = read.unreleased_range(settings.ref, settings.previous_tag, scheme)
    else:
        span = read.tag_range(settings.tag, settings.previous_tag, scheme)
    step.info(f"previous tag: {span.previous.tag or 'none'} — {span.previous.reason}")
    if span.previous.ignored:
        step.notice(
            f"{tags.ignored_tags(len(span.previous.ignored), scheme)} ignored when choosing the previous release"
        )
    return span


def _notes(doc: Changelog, classified: Classified, settings: Settings, people: list[Person]) -> str:
    """The Markdown: the config's templates when it has any, else Sovereign's own layout. Only
    logins the API resolved are mentioned."""
    logins = {person.login for person in people if person.login}
    if settings.config.layout.active:
        return template.render(doc, classified, logins, settings.config, settings.version_scheme)
    return markdown(doc, logins)


def _say_config(step: Step, config: Config) -> None:
    """What reading the config found worth saying: another tool's file ignored, keys not implemented."""
    if config.warning:
        step.warning(config.warning)
    if config.notice:
        step.notice(config.notice)


def changelog(step: Step, settings: Settings) -> None:
    repository, dry_run, out_dir = settings.repository, settings.dry_run, settings.out_dir
    _say_config(step, settings.config)
    repo = GitRepo(settings.workspace)
    gh = _github(step, settings.token, repository)

    read = gather.reader(settings.source, repo, gh)
    chosen = read.plan
    what = f"unreleased changes up to {settings.ref}" if settings.unreleased else settings.tag
    step.info(f"changelog: {what} in {repository} — {chosen.why}")
    links = Links(server_url(step.environ), repository)
    span = _range(step, settings, read)
    found = read.commits(span, links.base + "/pull", step.debug)

    grouped = group(found.commits, found.prs, span.tag_commit)
    changes, left_out = prune(grouped.changes, found, span.previous.tag, span.tag_commit)
    classified = classify(changes, settings.config)
    classified.excluded[:0] = left_out
    coming = next_release(classified, settings, span, links)
    # In unreleased mode the notes are headed by the version they call for; the files keep one name.
    tag = settings.tag or str(coming["next_tag"]) or "Unreleased"
    key = settings.tag or "unreleased"
    split = None if settings.unreleased else tags.split_tag(tag, settings.version_scheme)
    version = split[1] if split else None
    meta = Meta(
        tag=tag,
        version=str(version) if version else str(coming["next_version"]),
        previous_tag=span.previous.tag,
        previous_reason=span.previous.reason,
        repository=repository,
        date=_date(found, span, repo, chosen.use_git),
        source=found.source,
    )
    people = contributors([item.change for _, items in classified.sections for item in items])
    doc = build(meta, classified, grouped.bare_merges, len(found.commits), links, people=people)
    doc.update(coming)  # type: ignore[typeddict-item]
    if settings.unreleased:
        doc["unreleased"], doc["ref"] = True, settings.ref
        doc["compare_url"] = links.compare(
            span.previous.tag, span.tag_commit
        )  # a ref may move; HEAD means nothing there
    notes = _notes(doc, classified, settings, people)

    md_file = artifacts.write(out_dir, artifacts.file_name("changelog", key, "md"), notes, step)
    json_name = artifacts.file_name("changelog", key, "json")
    where = full_notes(run_url(step.environ), md_file.name)  # what a cut copy of the notes points to
    # Written before publishing too, so the notes survive a refused publish.
    json_path = artifacts.write(out_dir, json_name, json.dumps(doc, ensure_ascii=False) + "\n", step)

    release_url = ""
    if settings.draft_release and not coming["next_tag"]:
        step.notice("draft-release: nothing calls for a release since the latest one, so no draft was written")
    elif settings.publish_release or settings.draft_release:
        release_url = _publish(
            step,
            gh,
            settings,
            truncate(notes, where, BODY_ROOM),
            tag=tag,
            prerelease=bool(version and version.is_prerelease),
            target=span.tag_commit,
            name=template.release_name(doc, settings.config, settings.version_scheme),
        )
    if release_url:
        doc["release_url"] = release_url
        artifacts.write(out_dir, json_name, json.dumps(doc, ensure_ascii=False) + "\n", step)

    stats = doc["stats"]
    requests = gh.rate_note() if gh is not None else "no API calls (no token or source: git)"
    step.info(
        f"changelog: {plural(stats['commits'], 'commit')}, {plural(stats['prs'], 'pull request')}, {stats['direct']} direct, "
        f"{stats['breaking']} breaking, {stats['security']} security, {stats['excluded']} left out; {requests}"
    )
    step.info(f"bump: {doc['bump']} ({doc['bump_reason']}); next version: {doc['next_tag'] or 'none'}")
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
        ("bump", doc["bump"]),
        ("next-version", doc["next_version"]),
        ("next-tag", doc["next_tag"]),
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
    preview.refresh(out_dir, key, step)
