"""release-drafter's ``.github/release-drafter.yml``, read as it is into the shared :class:`Config`.

A release-drafter user switches with no config change. What maps where:

* ``categories`` (``title``, ``label``/``labels``, ``collapse-after``): categories by label, in
  order; a category without labels takes the changes no other category takes, as in release-drafter;
* ``exclude-labels``, ``include-labels``; ``exclude-contributors`` (left out of ``$CONTRIBUTORS``);
* ``template``, ``header``, ``footer``, ``change-template``, ``change-title-escapes``,
  ``no-changes-template``, ``no-contributors-template``, ``category-template``, ``name-template``,
  ``tag-template``, ``replacers``, ``sort-by``, ``sort-direction``: the layout;
* ``version-resolver``: :class:`VersionResolver`; its ``major`` labels also mark a change breaking.

Keys Sovereign does not implement (``autolabeler``, ``filter-by-commitish``, ``include-paths``, …)
are listed in one notice, never a failure. A value of the wrong kind is an error naming the file,
the line and the key.
"""

from __future__ import annotations

from dataclasses import replace

from sovereign.notes import yamlread
from sovereign.notes.config import DEFAULT, Category, Config, VersionResolver, _Checker
from sovereign.notes.layout import SORT_BY, SORT_DIRECTIONS, TEMPLATE_KEYS, Layout, LayoutReader, Replacer
from sovereign.notes.yamlread import Map, Seq, YamlError

RELEASE_DRAFTER = Layout(
    active=True,
    template="$CHANGES",  # release-drafter requires a template; a file without one still renders
    change_template="* $TITLE (#$NUMBER) @$AUTHOR",
    no_changes_template="* No changes",
    no_contributors_template="No contributors",
    category_template="## $TITLE",
)
_LISTS = ("exclude-labels", "include-labels", "exclude-contributors")
_OTHERS = ("change-title-escapes", "replacers", "sort-by", "sort-direction", "categories", "version-resolver")
SUPPORTED = frozenset((*TEMPLATE_KEYS, *_LISTS, *_OTHERS))
_CATEGORY = frozenset(("title", "label", "labels", "collapse-after"))
_LEVELS = ("major", "minor", "patch")


def parse_drafter(text: str, file: str) -> Config:
    document = yamlread.parse(text, file)
    if document == "":
        document = Map(1)
    if not isinstance(document, Map):
        raise YamlError(file, 1, "release-drafter's config must be a mapping of keys")
    check = _Checker(file)
    read = LayoutReader(file, text)
    ignored = [key for key in document if key not in SUPPORTED]
    layout = replace(RELEASE_DRAFTER, **read.templates(document, tuple(TEMPLATE_KEYS)))
    if "change-title-escapes" in document:
        layout = replace(layout, change_title_escapes=read.text(document, "change-title-escapes"))
    if "sort-by" in document:
        layout = replace(layout, sort_by=read.choice(document, "sort-by", SORT_BY))
    if "sort-direction" in document:
        layout = replace(layout, sort_direction=read.choice(document, "sort-direction", SORT_DIRECTIONS))
    layout = replace(
        layout,
        exclude_contributors=check.strings(document, "exclude-contributors", ""),
        replacers=_replacers(document, read),
    )
    categories, fallback = _categories(document, check, ignored)
    resolver = _resolver(document, check, read)
    config = Config(
        file,
        tuple(categories) or DEFAULT.categories,
        breaking_labels=tuple(dict.fromkeys((*DEFAULT.breaking_labels, *resolver.major))),
        feature_labels=resolver.minor or DEFAULT.feature_labels,  # version-resolver's minor labels
        include_labels=_lower(check.strings(document, "include-labels", "")),
        fallback=fallback,
        layout=layout,
        version_resolver=resolver,
        notice=_notice(file, ignored),
    )
    if "exclude-labels" in document:
        config = replace(config, exclude_labels=_lower(check.strings(document, "exclude-labels", "")))
    return config


def _lower(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(value.lower() for value in values)


def _notice(file: str, ignored: list[str]) -> str:
    if not ignored:
        return ""
    return f"{file}: Sovereign does not implement {', '.join(ignored)}: ignored (see changelog/README.md)"


def _list(document: Map, key: str, file: str) -> Seq:
    value = document.get(key, "")
    if value == "":
        return Seq(1)
    if not isinstance(value, Seq):
        raise YamlError(file, document.lines[key], f"'{key}' must be a list, got {value!r}")
    return value


def _categories(document: Map, check: _Checker, ignored: list[str]) -> tuple[list[Category], str]:
    categories: list[Category] = []
    fallback = ""
    raw = _list(document, "categories", check.file)
    for index, (item, line) in enumerate(zip(raw, raw.lines, strict=True)):
        where = f"categories[{index}]"
        if not isinstance(item, Map):
            raise YamlError(check.file, line, f"'{where}' must be a mapping with a title")
        ignored += [f"{where}.{key}" for key in item if key not in _CATEGORY]
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            raise YamlError(
                check.file, item.line, f"'{where}.title' is missing or empty", "give every category a title"
            )
        labels = _lower((*check.strings(item, "label", where), *check.strings(item, "labels", where)))
        collapse = item.get("collapse-after", 0)
        if isinstance(collapse, bool) or not isinstance(collapse, int) or collapse < 0:
            raise YamlError(
                check.file, item.lines["collapse-after"], f"'{where}.collapse-after' must be a whole number ≥ 0"
            )
        if not labels and not fallback:
            fallback = title.strip()  # release-drafter: the first category without labels takes the rest
        categories.append(Category(title.strip(), labels, collapse_after=collapse))
    return categories, fallback


def _resolver(document: Map, check: _Checker, read: LayoutReader) -> VersionResolver:
    if "version-resolver" not in document:
        return VersionResolver()
    body = document["version-resolver"]
    if body == "":
        return VersionResolver()
    where = "version-resolver"
    body = check.mapping(body, where, document.lines[where], {*_LEVELS, "default"})
    levels: dict[str, tuple[str, ...]] = {}
    for level in _LEVELS:
        if level in body:
            own = check.mapping(body[level], f"{where}.{level}", body.lines[level], {"labels"})
            levels[level] = _lower(check.strings(own, "labels", f"{where}.{level}"))
    resolver = VersionResolver(levels.get("major", ()), levels.get("minor", ()), levels.get("patch", ()))
    if "default" in body:
        resolver = replace(resolver, default=LayoutReader(check.file, read.raw, where).choice(body, "default", _LEVELS))
    return resolver


def _replacers(document: Map, read: LayoutReader) -> tuple[Replacer, ...]:
    found: list[Replacer] = []
    raw = _list(document, "replacers", read.file)
    for index, (item, line) in enumerate(zip(raw, raw.lines, strict=True)):
        where = f"replacers[{index}]"
        if not isinstance(item, Map):
            raise YamlError(read.file, line, f"'{where}' must be a mapping with search and replace")
        found.append(read.replacer(item, line, where))
    return tuple(found)
