"""The notes as JSON (``sovereign.changelog/v1``) and as Markdown.

The JSON is built first and the Markdown is rendered from it, so both always
say the same thing. Commit and PR text is untrusted: in Markdown only what
GitHub would act on is escaped (code spans stay whole), a ``@mention`` in it is
made inert, and links are rebuilt from the server URL, never taken from the
text. The only mentions are credited authors whose login the API resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as urlquote

from sovereign.markdown import plural, prose
from sovereign.notes.classify import Classified, Item
from sovereign.notes.config import BREAKING_TITLE as BREAKING
from sovereign.notes.config import SECURITY_TITLE as SECURITY
from sovereign.notes.model import Change, Commit
from sovereign.notes.people import Person, contributors
from sovereign.release import SCHEMA, Changelog, Entry, Section

BODY_LIMIT = 125_000  # GitHub's limit on a release body, in characters
_ICONS = {BREAKING: "⚠️ ", SECURITY: "🔒 "}


class FullEntry(Entry):
    """The contract's entry plus what makes every commit traceable."""

    commits: list[str]
    how: str  # merge commit | squash merge | rebase merge | direct push
    advisories: list[str]
    breaking_notes: list[str]  # what its breaking commits say, when that is more than the title


@dataclass(frozen=True)
class Links:
    server: str  # GITHUB_SERVER_URL
    repository: str

    @property
    def base(self) -> str:
        return f"{self.server}/{self.repository}"

    def pull(self, number: int) -> str:
        return f"{self.base}/pull/{number}"

    def commit(self, sha: str) -> str:
        return f"{self.base}/commit/{sha}"

    def compare(self, previous: str | None, tag: str) -> str:
        if previous is None:
            return f"{self.base}/commits/{urlquote(tag, safe='')}"
        return f"{self.base}/compare/{urlquote(previous, safe='')}...{urlquote(tag, safe='')}"


def _entry(item: Item, links: Links) -> FullEntry:
    change = item.change
    pr = change.pr
    return FullEntry(
        title=item.title,
        commit=change.head.sha,
        pr=pr.number if pr else None,
        url=links.pull(pr.number) if pr else links.commit(change.head.sha),
        author=change.author,
        labels=list(change.labels),
        type=item.type,
        scope=item.scope,
        breaking=item.breaking,
        security=item.security,
        commits=[c.sha for c in change.commits],
        how=change.how,
        advisories=item.advisories,
        breaking_notes=item.breaking_notes,
    )


def _excluded(change: Change, reason: str, links: Links) -> dict[str, Any]:
    pr = change.pr
    return {
        "title": change.title,
        "commit": change.head.sha,
        "pr": pr.number if pr else None,
        "url": links.pull(pr.number) if pr else links.commit(change.head.sha),
        "author": change.author,
        "reason": reason,
        "commits": [c.sha for c in change.commits],
    }


@dataclass(frozen=True)
class Meta:
    tag: str
    version: str
    previous_tag: str | None
    previous_reason: str
    repository: str
    date: str
    source: str


def build(
    meta: Meta,
    classified: Classified,
    bare_merges: list[Commit],
    commit_count: int,
    links: Links,
    *,
    people: list[Person] | None = None,
) -> Changelog:
    """The JSON document; every commit of the range is in exactly one entry or exclusion.
    ``people``: the listed changes' contributors, when the caller has them already."""
    listed = [item.change for _, items in classified.sections for item in items]
    if people is None:
        people = contributors(listed)
    names = [person.shown for person in people]
    excluded = [_excluded(x.change, x.reason, links) for x in classified.excluded]
    excluded += [
        _excluded(
            Change([m]), "merge commit without a pull request: the commits it merged are listed on their own", links
        )
        for m in bare_merges
    ]
    sections = [Section(title=title, entries=[_entry(i, links) for i in items]) for title, items in classified.sections]
    prs = {c.pr.number for c in listed if c.pr}
    return Changelog(
        schema=SCHEMA,
        tag=meta.tag,
        version=meta.version,
        previous_tag=meta.previous_tag,
        previous_tag_reason=meta.previous_reason,
        repository=meta.repository,
        date=meta.date,
        compare_url=links.compare(meta.previous_tag, meta.tag),
        sections=sections,
        breaking=[_entry(i, links) for i in classified.breaking],
        security=[_entry(i, links) for i in classified.security],
        contributors=names,
        stats={
            "commits": commit_count,
            "prs": len(prs),
            "direct": sum(1 for c in listed if c.pr is None),
            "entries": len(listed),
            "contributors": len(names),
            "breaking": len(classified.breaking),
            "security": len(classified.security),
            "excluded": len(excluded),
            "source": meta.source,
        },
        excluded=excluded,
    )


def _who(author: str, logins: set[str]) -> str:
    return f"@{author}" if author in logins else prose(author)


def _line(entry: Entry, logins: set[str], section: str) -> str:
    scope = f"**{prose(entry['scope'])}:** " if entry["scope"] else ""
    ref = f"#{entry['pr']}" if entry["pr"] is not None else entry["commit"][:7]
    # The section's own marker is in its heading: an entry repeats only the other one.
    marks = (" ⚠️" if entry["breaking"] and section != BREAKING else "") + (
        " 🔒" if entry["security"] and section != SECURITY else ""
    )
    author = f" by {_who(entry['author'], logins)}" if entry["author"] else ""
    line = f"- {scope}{prose(entry['title'])} ([{ref}]({entry['url']})){author}{marks}"
    notes = entry.get("breaking_notes") or []
    assert isinstance(notes, list)
    return "\n".join([line, *(f"  - {prose(str(note))}" for note in notes)])


def markdown(doc: Changelog, logins: set[str]) -> str:
    """The notes; ``logins``: the authors' logins the API resolved, the only ones written as @mentions."""
    lines = [f"## {prose(doc['tag'])} ({doc.get('date', '')[:10]})", ""]
    stats = doc["stats"]
    previous = doc.get("previous_tag")
    tip = prose(doc.get("ref") or doc["tag"])  # unreleased notes: headed by the next version, compared up to ref
    span = f"{prose(previous)}...{tip}" if previous else f"everything up to {tip}"
    counts = ", ".join(
        plural(stats[key], word)
        for key, word in (("commits", "commit"), ("prs", "pull request"), ("contributors", "contributor"))
    )
    lines += [f"[Compare {span}]({doc.get('compare_url', '')}) · {counts}", ""]
    if not doc["sections"]:
        lines += ["_No changes to list._", ""]
    for section in doc["sections"]:
        lines += [f"### {_ICONS.get(section['title'], '')}{prose(section['title'])}", ""]
        lines += [_line(e, logins, section["title"]) for e in section["entries"]]
        lines.append("")
    if doc["contributors"]:
        lines += ["### Contributors", "", ", ".join(_who(n, logins) for n in doc["contributors"]), ""]
    excluded = doc.get("excluded", [])
    if excluded:
        lines += [f"<details><summary>Left out ({len(excluded)})</summary>", ""]
        lines += [f"- {prose(x['title'])} ({x['commit'][:7]}) — {prose(x['reason'])}" for x in excluded]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def full_notes(run_url: str, file_name: str) -> str:
    """Where the whole notes are, in Markdown: the run's artifacts when the run is known,
    else the artifact's file name (a link to nowhere helps nobody)."""
    if run_url:
        return f"[full notes]({run_url}#artifacts)"
    return f"the full notes are in {prose(file_name)}, among the changelog stage's artifacts"


def truncate(body: str, where: str, limit: int = BODY_LIMIT) -> str:
    """``body`` cut at a line boundary below ``limit``, ending with ``where`` (:func:`full_notes`)."""
    if len(body) < limit:
        return body
    note = f"\n\n… the notes were cut to fit GitHub's limit: {where}\n"
    cut = body[: limit - len(note) - 1]
    cut = cut[: cut.rfind("\n")] if "\n" in cut else cut
    return cut + note
