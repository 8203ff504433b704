"""Config files read with ruamel.yaml (pure Python), keeping the line of every key and item.

Mappings and lists come back as :class:`Map` / :class:`Seq`, so later checks
can name the file, line and key of what they refuse. Scalars stay as YAML typed
them (``3`` is an int, ``true`` a bool); an empty value is ``""``.
"""

from __future__ import annotations

from typing import Union

from sovereign.errors import SovereignError

Value = Union[str, int, float, bool, "Map", "Seq"]


class Map(dict[str, Value]):
    """A mapping that remembers the line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}


class Seq(list[Value]):
    """A list that remembers the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []


class YamlError(SovereignError):
    def __init__(self, file: str, line: int, what: str, fix: str = "") -> None:
        super().__init__(f"{file} line {line}: {what}", fix or "see changelog/README.md for the config format")
        self.file, self.lineno = file, line


def parse(text: str, file: str) -> Value:
    """The document in ``text``; a syntax error, duplicate key or second document names the line."""
    # Imported here: a run without a config file (most) does not pay for ruamel.yaml's import.
    from ruamel.yaml import YAML  # noqa: PLC0415
    from ruamel.yaml.error import MarkedYAMLError, YAMLError  # noqa: PLC0415

    reader = YAML(typ="rt", pure=True)  # pure: the same parser whether or not a C extension is installed
    try:
        loaded = reader.load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        last = max(1, len(text.splitlines()))  # an error at the end of the stream is on the last line
        line = min(mark.line + 1, last) if mark is not None else 1
        raise YamlError(file, line, f"not valid YAML: {err.problem or err.context}") from None
    except YAMLError as err:  # no position known (a stream or encoding error)
        raise YamlError(file, 1, f"not valid YAML: {err}") from None
    return _convert(loaded, 1, file)


def _convert(node: object, line: int, file: str) -> Value:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq  # noqa: PLC0415 - parse() has imported them
    from ruamel.yaml.scalarbool import ScalarBoolean  # noqa: PLC0415

    if isinstance(node, CommentedMap):
        mapping = Map(node.lc.line + 1)
        for key, value in node.items():
            key_line = node.lc.key(key)[0] + 1
            if not isinstance(key, str):
                raise YamlError(file, key_line, f"the key {key!r} is not a string", "write keys as plain words")
            mapping[key] = _convert(value, key_line, file)
            mapping.lines[key] = key_line
        return mapping
    if isinstance(node, CommentedSeq):
        items = Seq(node.lc.line + 1)
        for index, value in enumerate(node):
            item_line = node.lc.item(index)[0] + 1
            items.append(_convert(value, item_line, file))
            items.lines.append(item_line)
        return items
    if node is None:
        return ""
    if isinstance(node, (bool, ScalarBoolean)):  # ScalarBoolean is an int, not a bool
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)  # strings, block scalars, dates: as plain text
