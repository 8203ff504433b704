"""The notes laid out by the config's templates (release-drafter's placeholder names), from the JSON.

Substitution is literal and single-pass: a title that holds ``$BODY`` or
``${{ secrets.X }}`` stays text. Commit and pull-request text is escaped for
Markdown as in Sovereign's own layout, and an author who is not a GitHub login
known from the API can never become a mention. The config's own text (templates,
category titles' placement, replacers) is the repository's choice and is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sovereign import tags
from sovereign.markdown import escape
from sovereign.notes.classify import Classified
from sovereign.notes.config import BREAKING_TITLE, SECURITY_TITLE, Config
from sovereign.notes.layout import PLACEHOLDER, Layout, substitute
from sovereign.release import Changelog, Entry, Section

_UNMENTION = "<!---->"  # after an @ or #, GitHub links nothing (release-drafter's own trick)


def next_versions(previous: tags.AnyVersion | None) -> dict[str, str]:
    """``$NEXT_{MAJOR,MINOR,PATCH}_VERSION``: the previous release bumped each way (0.0.0 for a first release).

    A prerelease already counts towards its release, as semver's ``inc`` has it:
    after 1.2.0-rc.1 the next patch and minor are 1.2.0, the next major 2.0.0.
    """
    major, minor, patch = (previous.major, previous.minor, previous.patch) if previous else (0, 0, 0)
    pre = bool(previous and previous.is_prerelease)
    return {
        "NEXT_MAJOR_VERSION": f"{major}.0.0" if pre and minor == patch == 0 else f"{major + 1}.0.0",
        "NEXT_MINOR_VERSION": f"{major}.{minor}.0" if pre and patch == 0 else f"{major}.{minor + 1}.0",
        "NEXT_PATCH_VERSION": f"{major}.{minor}.{patch}" if pre else f"{major}.{minor}.{patch + 1}",
    }


def release_context(doc: Changelog, config: Config, scheme: str) -> dict[str, str]:
    """The placeholders every template may use: versions and where the release is."""
    previous_tag = doc.get("previous_tag") or ""
    split = tags.split_tag(previous_tag, scheme) if previous_tag else None
    values = next_versions(split[1] if split else None)
    # The release's own version (tag mode), or the next one (unreleased mode, set by the bump);
    # a tag that holds no version falls back on version-resolver's default bump.
    fallback = values[f"NEXT_{config.version_resolver.default.upper()}_VERSION"]
    owner, _, name = doc["repository"].partition("/")
    return {
        **values,
        "RESOLVED_VERSION": doc.get("version") or fallback,
        "PREVIOUS_TAG": previous_tag,
        "OWNER": owner,
        "REPOSITORY": name,
        "COMPARE_URL": doc.get("compare_url", ""),
    }


def release_name(doc: Changelog, config: Config, scheme: str) -> str:
    """The release's name from ``name-template``; "" when there is none (the release is named after its tag)."""
    template = config.layout.name_template
    return substitute(template, release_context(doc, config, scheme)).strip() if template else ""


def _title(title: str, escapes: str) -> str:
    text = escape(title)
    for char in dict.fromkeys(escapes):
        if char in "@#":
            text = text.replace(char, char + _UNMENTION)  # no mention, no issue link
        elif char != "\\":  # escape() already doubles backslashes
            text = re.sub(rf"(?<!\\){re.escape(char)}", lambda m: "\\" + m.group(0), text)
    return text


def _person(name: str, logins: set[str]) -> str:
    """A login the API resolved, as it is (templates write ``@$AUTHOR``); any other name can never mention."""
    if not name:
        return "ghost"  # release-drafter's name for an unknown author
    if name in logins:
        return name
    return _UNMENTION + escape(name).replace("@", "@" + _UNMENTION)


class _Renderer:
    def __init__(self, doc: Changelog, classified: Classified, logins: set[str], config: Config) -> None:
        self.doc, self.logins, self.config = doc, logins, config
        self.layout: Layout = config.layout
        changes = [item.change for _, items in classified.sections for item in items]
        self.bodies = {c.head.sha: (c.pr.body if c.pr else c.head.body) for c in changes}
        self.times = {c.head.sha: c.head.time for c in changes}

    def change(self, entry: Entry) -> str:
        values = {
            "TITLE": _title(entry["title"], self.layout.change_title_escapes),
            "NUMBER": str(entry["pr"]) if entry["pr"] is not None else entry["commit"][:7],
            "AUTHOR": _person(entry["author"], self.logins),
            "URL": entry["url"],
            "SCOPE": escape(entry["scope"]),
            "BODY": escape(self.bodies.get(entry["commit"], "")),
        }
        return substitute(self.layout.change_template, values)

    def ordered(self, entries: list[Entry]) -> list[Entry]:
        if self.layout.sort_by == "title":
            key = lambda e: e["title"].casefold()  # noqa: E731 - one of two keys
        elif self.layout.sort_by == "merged_at":
            key = lambda e: self.times.get(e["commit"], 0)  # noqa: E731
        else:
            return entries  # the history's order, newest first
        return sorted(entries, key=key, reverse=self.layout.sort_direction == "descending")

    def lines(self, entries: Iterable[Entry]) -> str:
        return "\n".join(self.change(e) for e in self.ordered(list(entries)))

    def section(self, section: Section) -> str:
        title = substitute(self.layout.category_template, {"TITLE": escape(section["title"])})
        lines = self.lines(section["entries"])
        count = len(section["entries"])
        limit = next((c.collapse_after for c in self.config.categories if c.title == section["title"]), 0)
        if limit and count > limit:
            lines = f"<details>\n<summary>{count} changes</summary>\n\n{lines}\n</details>"
        return f"{title}\n\n{lines}"

    def contributors(self) -> str:
        left_out = {name.lstrip("@").casefold() for name in self.layout.exclude_contributors}
        names = [n for n in self.doc["contributors"] if n.casefold() not in left_out]
        shown = [f"@{n}" if n in self.logins else _person(n, self.logins) for n in names]
        if not shown:
            return self.layout.no_contributors_template
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]

    def body(self, context: dict[str, str]) -> str:
        layout = self.layout
        text = layout.header + layout.template + layout.footer
        used = {m.group(1) for m in PLACEHOLDER.finditer(text)}
        sections = self.doc["sections"]
        # Each overlay section is recognised by what it holds: a category of the config never
        # receives a breaking or security change, whatever its title.
        breaking = [s for s in sections if s["title"] == BREAKING_TITLE and all(e["breaking"] for e in s["entries"])]
        security = [
            s
            for s in sections
            if s["title"] == SECURITY_TITLE and all(e["security"] and not e["breaking"] for e in s["entries"])
        ]
        # A template that places $BREAKING or $SECURITY itself takes those entries out of $CHANGES.
        pulled = (breaking if "BREAKING" in used else []) + (security if "SECURITY" in used else [])
        kept = [s for s in sections if not any(s is p for p in pulled)]
        if sections:
            changes = "\n\n".join(self.section(s) for s in kept)
        else:
            changes = substitute(layout.no_changes_template, context)
        values = {
            **context,
            "CHANGES": changes,
            "CONTRIBUTORS": self.contributors(),
            "BREAKING": self.lines(e for s in breaking for e in s["entries"]),
            "SECURITY": self.lines(e for s in security for e in s["entries"]),
        }
        text = substitute(text, values)
        for replacer in layout.replacers:
            text = replacer.apply(text)
        return text.strip() + "\n"


def render(doc: Changelog, classified: Classified, logins: set[str], config: Config, scheme: str) -> str:
    """The notes laid out by ``config.layout`` (which must be active)."""
    return _Renderer(doc, classified, logins, config).body(release_context(doc, config, scheme))
