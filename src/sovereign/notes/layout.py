"""How the notes are laid out when a config gives templates, and how placeholders are checked.

The names follow release-drafter's (``$CHANGES``, ``$TITLE``, ``$NUMBER``, …) so
its users already know them. A placeholder is ``$`` followed by capitals and
underscores, as in release-drafter; anything else after a ``$`` (``${{ … }}``,
``$5``) is plain text. Templates are checked when the config is read: an unknown
``$NAME`` is an error naming the file, the line and the key, before any git or
API call. Rendering lives in the changelog stage (``changelog/template.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sovereign.notes.yamlread import Map, YamlError

PLACEHOLDER = re.compile(r"\$([A-Z_]+)")

VERSIONS = frozenset({"RESOLVED_VERSION", "NEXT_MAJOR_VERSION", "NEXT_MINOR_VERSION", "NEXT_PATCH_VERSION"})
REPO = frozenset({"OWNER", "REPOSITORY", "PREVIOUS_TAG"})
BODY = VERSIONS | REPO | frozenset({"CHANGES", "CONTRIBUTORS", "COMPARE_URL", "BREAKING", "SECURITY"})
CHANGE = frozenset({"TITLE", "NUMBER", "AUTHOR", "URL", "SCOPE", "BODY"})
NO_CHANGES = BODY - {"CHANGES", "BREAKING", "SECURITY"}  # stands in for $CHANGES: cannot hold it
CATEGORY = frozenset({"TITLE"})
NAME = VERSIONS | REPO  # name-template and tag-template

SORT_BY = ("merged_at", "title")
SORT_DIRECTIONS = ("ascending", "descending")
_JS_FLAGS = {"g": 0, "i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "u": 0}


@dataclass(frozen=True)
class Replacer:
    """One search-and-replace over the finished body, as release-drafter's ``replacers`` do it."""

    pattern: re.Pattern[str]
    replace: str  # JavaScript replacement syntax: $1, $&, $<name>, $$
    every: bool  # the g flag: every match, else the first one only

    def apply(self, text: str) -> str:
        return self.pattern.sub(self._expand, text, count=0 if self.every else 1)

    def _expand(self, match: re.Match[str]) -> str:
        def one(ref: re.Match[str]) -> str:
            what = ref.group(1)
            if what == "$":
                return "$"
            if what == "&":
                return match.group(0)
            if what.startswith("<"):
                return match.group(what[1:-1]) or ""
            if int(what) > match.re.groups:
                return ref.group(0)  # no such group: JavaScript keeps the text as it is
            return match.group(int(what)) or ""

        return re.sub(r"\$(\$|&|\d{1,2}|<\w+>)", one, self.replace)


@dataclass(frozen=True)
class Layout:
    """Templates and ordering; ``active`` False keeps Sovereign's own layout."""

    active: bool = False
    template: str = "$CHANGES\n\n**Contributors:** $CONTRIBUTORS\n\n**Full changelog:** $COMPARE_URL"
    header: str = ""
    footer: str = ""
    change_template: str = "- $TITLE ([#$NUMBER]($URL)) by @$AUTHOR"
    change_title_escapes: str = ""
    no_changes_template: str = "_No changes to list._"
    no_contributors_template: str = "no one"
    category_template: str = "### $TITLE"
    exclude_contributors: tuple[str, ...] = ()
    replacers: tuple[Replacer, ...] = ()
    sort_by: str = ""  # "" keeps the history's order (newest first); else one of SORT_BY
    sort_direction: str = "descending"
    name_template: str = ""  # the release's name; "" names it after its tag
    tag_template: str = ""


SOVEREIGN_LAYOUT = Layout()  # inactive: Sovereign's own layout


# key -> (Layout field, placeholders allowed)
TEMPLATE_KEYS: dict[str, tuple[str, frozenset[str]]] = {
    "template": ("template", BODY),
    "header": ("header", BODY),
    "footer": ("footer", BODY),
    "change-template": ("change_template", CHANGE),
    "no-changes-template": ("no_changes_template", NO_CHANGES),
    "no-contributors-template": ("no_contributors_template", frozenset()),
    "category-template": ("category_template", CATEGORY),
    "name-template": ("name_template", NAME),
    "tag-template": ("tag_template", NAME),
}
SOVEREIGN_KEYS = ("template", "change-template", "no-changes-template")  # under changelog: in sovereign.yml


def substitute(text: str, values: Mapping[str, str]) -> str:
    """Every ``$NAME`` replaced in one pass: a value that holds ``$TITLE`` is not looked at again."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _line_of(raw: str, start: int, token: str) -> int:
    """The first line at or after ``start`` that holds ``token`` (a block scalar spans lines)."""
    lines = raw.splitlines()
    return next((n + 1 for n in range(start - 1, len(lines)) if token in lines[n]), start)


def check_placeholders(text: str, allowed: frozenset[str], *, file: str, raw: str, line: int, key: str) -> None:
    for match in PLACEHOLDER.finditer(text):
        if match.group(1) not in allowed:
            token = match.group(0)
            known = ", ".join("$" + n for n in sorted(allowed)) or "none: it is plain text"
            raise YamlError(file, _line_of(raw, line, token), f"unknown placeholder {token} in '{key}'", f"use {known}")


class LayoutReader:
    """Reads layout keys from a mapping, checking each value's kind and placeholders."""

    def __init__(self, file: str, raw: str, where: str = "") -> None:
        self.file, self.raw, self.where = file, raw, where

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def text(self, parent: Map, key: str) -> str:
        value = parent[key]
        if value == "":
            return ""
        if not isinstance(value, str):
            raise YamlError(self.file, parent.lines[key], f"'{self.path(key)}' must be a string, got {value!r}")
        return value

    def choice(self, parent: Map, key: str, allowed: tuple[str, ...]) -> str:
        value = self.text(parent, key)
        if value not in allowed:
            raise YamlError(
                self.file, parent.lines[key], f"'{self.path(key)}' must be {' or '.join(allowed)}, got {value!r}"
            )
        return value

    def templates(self, parent: Map, keys: tuple[str, ...]) -> dict[str, Any]:
        """The Layout fields set by ``keys`` found in ``parent``, each checked for unknown placeholders."""
        found: dict[str, Any] = {}  # Any: dataclasses.replace() takes these as keywords
        for key in keys:
            if key in parent:
                field, allowed = TEMPLATE_KEYS[key]
                value = self.text(parent, key)
                check_placeholders(
                    value, allowed, file=self.file, raw=self.raw, line=parent.lines[key], key=self.path(key)
                )
                found[field] = value
        return found

    def replacer(self, item: Map, line: int, where: str) -> Replacer:
        for key in ("search", "replace"):
            if key not in item:
                raise YamlError(
                    self.file, line, f"'{where}.{key}' is missing", "give every replacer search and replace"
                )
        search, replace = self.text(item, "search"), self.text(item, "replace")
        if not search:
            raise YamlError(self.file, item.lines["search"], f"'{where}.search' is empty")
        regex = re.fullmatch(r"/(.+)/([a-z]*)", search, re.S)
        if regex is None:
            return Replacer(re.compile(re.escape(search)), replace, every=False)
        body, flags = regex.groups()
        bad = sorted(set(flags) - set(_JS_FLAGS))
        if bad:
            raise YamlError(
                self.file, item.lines["search"], f"'{where}.search' has flags Sovereign cannot apply: {''.join(bad)}"
            )
        body = re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", body)  # JavaScript's named groups, in Python's syntax
        bits = 0
        for letter in flags:
            bits |= _JS_FLAGS[letter]
        try:
            pattern = re.compile(body, bits)
        except re.error as err:
            raise YamlError(self.file, item.lines["search"], f"'{where}.search' is not a valid regex: {err}") from None
        return Replacer(pattern, replace, every="g" in flags)
