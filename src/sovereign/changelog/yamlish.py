"""A strict reader for the YAML subset that changelog config files use.

Runtime dependencies are only actions-toolkit and requests, so no PyYAML: this
reads block mappings, block lists (also of mappings), flow lists ``[a, "b"]``,
plain / single-quoted / double-quoted scalars and ``#`` comments. Anything else
(anchors, tags, multi-line scalars, tabs) is refused with the file and line, so
a config never means something other than what it says.

Mappings and lists come back as :class:`Map` / :class:`Seq`, which remember the
line of each key and item, so later checks can name the line too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from sovereign.errors import SovereignError

Value = Union[str, "Map", "Seq"]
_KEY = re.compile(
    r"""(?P<key>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"\[\]{}:,&*!|>%@`-][^#:]*?|-[^\s#:][^#:]*?)\s*:(?:\s+|$)"""
)
_FLOW_ITEM = re.compile(r"""\s*(?P<item>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,\[\]{}"']+?)\s*(?:(?P<sep>,)|$)""")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/", "0": "\0"}


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


@dataclass(frozen=True)
class _Line:
    number: int
    indent: int
    text: str  # without indent and comment


def _strip_comment(text: str) -> str:
    """The line without a trailing ``# comment`` (a ``#`` inside quotes stays)."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"" and (i == 0 or text[i - 1] in " [,:-"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


class _Reader:
    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.lines: list[_Line] = []
        for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), 1):
            body = raw.lstrip(" ")
            if body.startswith("\t") or ("\t" in raw[: len(raw) - len(body) + 1] and body.strip()):
                raise YamlError(file, number, "tab used for indentation", "indent with spaces")
            content = _strip_comment(body)
            if content == "---" and not self.lines:
                continue  # an explicit start of the one document
            if content in ("---", "..."):
                raise YamlError(file, number, "several YAML documents in one file", "keep one document")
            if content:
                self.lines.append(_Line(number, len(raw) - len(body), content))
        self.i = 0

    def fail(self, line: int, what: str, fix: str = "") -> YamlError:
        return YamlError(self.file, line, what, fix)

    # -- scalars ------------------------------------------------------------
    def scalar(self, text: str, line: int) -> str:
        text = text.strip()
        if text.startswith('"'):
            if len(text) < 2 or not text.endswith('"'):
                raise self.fail(line, f"unterminated double-quoted string {text[:40]!r}")
            return self._double(text[1:-1], line)
        if text.startswith("'"):
            if len(text) < 2 or not text.endswith("'"):
                raise self.fail(line, f"unterminated single-quoted string {text[:40]!r}")
            inner = text[1:-1]
            if re.search(r"(?<!')'(?!')", inner.replace("''", "")):
                raise self.fail(line, f"stray quote in {text[:40]!r}")
            return inner.replace("''", "'")
        if text[:1] in ("&", "*", "!", "|", ">", "%", "@", "`", "{"):
            raise self.fail(
                line, f"unsupported YAML syntax {text[:40]!r}", "quote the value, or use plain lists and mappings"
            )
        if ": " in text or text.endswith(":"):
            raise self.fail(line, f"unexpected ':' in value {text[:40]!r}", "quote the value")
        return text

    def _double(self, inner: str, line: int) -> str:
        out: list[str] = []
        i = 0
        while i < len(inner):
            ch = inner[i]
            if ch == '"':
                raise self.fail(line, "stray double quote inside a string", 'escape it as \\"')
            if ch == "\\":
                nxt = inner[i + 1 : i + 2]
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                    i += 2
                    continue
                if nxt == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", inner[i + 2 : i + 6]):
                    out.append(chr(int(inner[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                raise self.fail(line, f"unsupported escape \\{nxt} in a double-quoted string")
            out.append(ch)
            i += 1
        return "".join(out)

    def flow(self, text: str, line: int) -> Seq:
        """``[a, "b, c", 'd']`` — a flat flow list of scalars."""
        if not text.endswith("]"):
            raise self.fail(line, f"unterminated flow list {text[:40]!r}", "close it with ] on the same line")
        seq = Seq(line)
        body = text[1:-1].strip()
        pos = 0
        while body and pos <= len(body):
            match = _FLOW_ITEM.match(body, pos)
            if not match or not match.group("item").strip():
                raise self.fail(
                    line, f"unsupported flow list {text[:40]!r}", "use a flat list of scalars or a block list"
                )
            seq.append(self.scalar(match.group("item"), line))
            seq.lines.append(line)
            pos = match.end()
            if not match.group("sep"):
                break
        return seq

    def inline(self, text: str, line: int) -> Value:
        if text.startswith("["):
            return self.flow(text, line)
        return self.scalar(text, line)

    # -- blocks -------------------------------------------------------------
    def peek(self) -> _Line | None:
        return self.lines[self.i] if self.i < len(self.lines) else None

    def block(self, indent: int) -> Value:
        first = self.peek()
        assert first is not None
        if first.text == "-" or first.text.startswith("- "):
            return self.sequence(first.indent)
        return self.mapping(first.indent)

    def mapping(self, indent: int, first: _Line | None = None) -> Map:
        result: Map | None = None
        while True:
            line = first or self.peek()
            if line is None or line.indent < indent:
                break
            if first is None:
                self.i += 1
            first = None
            if line.indent > indent:
                raise self.fail(line.number, "unexpected indentation")
            match = _KEY.match(line.text)
            if not match:
                raise self.fail(line.number, f"expected 'key: value', got {line.text[:40]!r}")
            key = self.scalar(match.group("key"), line.number)
            if result is None:
                result = Map(line.number)
            if key in result:
                raise self.fail(line.number, f"duplicate key '{key}' (first on line {result.lines[key]})")
            rest = line.text[match.end() :].strip()
            result.lines[key] = line.number
            result[key] = self.value_after(rest, indent, line.number, key)
        assert result is not None
        return result

    def value_after(self, rest: str, indent: int, number: int, key: str) -> Value:
        """The value of ``key:``: inline, or the indented block below it."""
        if rest:
            return self.inline(rest, number)
        nxt = self.peek()
        if nxt is None or nxt.indent < indent or (nxt.indent == indent and not nxt.text.startswith("-")):
            return ""  # `key:` with nothing below: empty, like YAML's null
        if nxt.indent == indent:  # a list may sit at its key's indent
            return self.sequence(indent)
        return self.block(nxt.indent)

    def sequence(self, indent: int) -> Seq:
        first = self.peek()
        assert first is not None
        seq = Seq(first.number)
        while True:
            line = self.peek()
            if line is None or line.indent < indent:
                break
            if line.indent > indent:
                raise self.fail(line.number, "unexpected indentation")
            if not (line.text == "-" or line.text.startswith("- ")):
                break
            self.i += 1
            rest = line.text[1:].strip()
            seq.lines.append(line.number)
            if not rest:
                nxt = self.peek()
                if nxt is None or nxt.indent <= indent:
                    raise self.fail(line.number, "empty list item")
                seq.append(self.block(nxt.indent))
            elif _KEY.match(rest):  # "- key: value" starts a mapping item
                item_indent = indent + (len(line.text) - len(rest))
                seq.append(self.mapping(item_indent, _Line(line.number, item_indent, rest)))
            else:
                seq.append(self.inline(rest, line.number))
        return seq

    def document(self) -> Value:
        if not self.lines:
            return Map(1)
        value = self.block(self.lines[0].indent)
        left = self.peek()
        if left is not None:
            raise self.fail(left.number, f"unexpected {left.text[:40]!r} (check the indentation)")
        return value


def parse(text: str, file: str) -> Value:
    """Parse ``text`` (from ``file``, for error messages)."""
    return _Reader(text, file).document()
