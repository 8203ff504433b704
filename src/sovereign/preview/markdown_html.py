"""Markdown to HTML for what Sovereign writes: the changelog's subset (headings,
lists, links, code spans, bold, italics, backslash escapes, the "Left out"
``<details>`` block) and the Markdown of Discord embeds and Teams TextBlocks.

Safe by construction rather than by sanitising afterwards: every piece of text
is escaped as it is emitted, the only tags written are the renderer's own, and
a link becomes ``<a>`` only for http(s) and mailto URLs. Raw HTML in the input is
shown as text, except the exact ``<details><summary>…</summary>`` lines the
changelog itself writes.
"""

from __future__ import annotations

import re

from sovereign.preview.markup import Handler, Inline, esc, link

_BODY = r"(?:\\.|[^\\])"  # one character of emphasised text, a backslash escape taken whole


def _engine(discord: bool) -> Inline:
    def tag(name: str, group: str) -> Handler:
        return lambda m: f"<{name}>{engine(m[group])}</{name}>"

    rules: list[tuple[str, Handler]] = [
        (r"\\(?P<escaped>[!-/:-@\[-`{-~])", lambda m: esc(m["escaped"])),
        (r"(?P<ticks>`+)(?P<code>.+?)(?P=ticks)", lambda m: f"<code>{esc(m['code'])}</code>"),
        (
            r"\[(?P<label>(?:\\.|[^\\\]])*)\]\((?P<url>[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)\)",
            lambda m: link(engine(m["label"]), m["url"]),
        ),
        (r"<(?P<auto>(?:https?|mailto):[^\s<>]+)>", lambda m: link(esc(m["auto"]), m["auto"])),
        (rf"\*\*(?P<strong>{_BODY}+?)\*\*", tag("strong", "strong")),
        # Discord underlines __text__; Markdown makes it bold.
        (rf"__(?P<under>{_BODY}+?)__", tag("u" if discord else "strong", "under")),
        (rf"~~(?P<strike>{_BODY}+?)~~", tag("s", "strike")),
        (r"\*(?!\s)(?P<em>(?:\\.|[^\\*])+?)\*", tag("em", "em")),
        (r"(?<![A-Za-z0-9_])_(?!\s)(?P<em2>(?:\\.|[^\\_])+?)_(?![A-Za-z0-9_])", tag("em", "em2")),
    ]
    if discord:  # Discord links bare URLs; a closing full stop or comma is not part of them
        rules.append(
            (r"(?P<bare>https?://[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"])", lambda m: link(esc(m["bare"]), m["bare"]))
        )
    engine = Inline(rules, esc)
    return engine


inline = _engine(discord=False)
discord_inline = _engine(discord=True)

_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,9}[.)]\s+(.*)$")
_DETAILS = re.compile(r"^\s*<details><summary>(.*)</summary>\s*$")
_DETAILS_END = re.compile(r"^\s*</details>\s*$")
_RULE = re.compile(r"^ {0,3}(?:-{3,}|\*{3,}|_{3,})\s*$")
_QUOTE = re.compile(r"^ {0,3}>\s?(.*)$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


class _Blocks:
    """Lines in, block HTML out: paragraphs, lists and quotes gather lines until a blank."""

    def __init__(self, shift: int) -> None:
        self.shift = shift
        self.out: list[str] = []
        self.kind = ""  # "p", "ul", "ol", "blockquote" or "pre": the block being gathered
        self.lines: list[str] = []
        self.depth = 0  # <details> still open

    def flush(self) -> None:
        if self.kind == "p":
            self.out.append(f"<p>{inline(chr(10).join(self.lines))}</p>")
        elif self.kind in ("ul", "ol"):
            items = "".join(f"<li>{inline(item)}</li>" for item in self.lines)
            self.out.append(f"<{self.kind}>{items}</{self.kind}>")
        elif self.kind == "blockquote":
            self.out.append(f"<blockquote><p>{inline(chr(10).join(self.lines))}</p></blockquote>")
        elif self.kind == "pre":
            self.out.append(f"<pre><code>{esc(chr(10).join(self.lines))}</code></pre>")
        self.kind, self.lines = "", []

    def gather(self, kind: str, line: str) -> None:
        if self.kind != kind:
            self.flush()
            self.kind = kind
        self.lines.append(line)

    def line(self, line: str) -> None:
        if self.kind == "pre":
            if _FENCE.match(line):
                self.flush()
            else:
                self.lines.append(line)
            return
        heading, bullet, numbered = _HEADING.match(line), _BULLET.match(line), _NUMBERED.match(line)
        details, quote = _DETAILS.match(line), _QUOTE.match(line)
        if not line.strip():
            self.flush()
        elif _FENCE.match(line):
            self.flush()
            self.kind = "pre"
        elif heading:
            self.flush()
            level = min(len(heading.group(1)) + self.shift, 6)
            self.out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif _RULE.match(line):
            self.flush()
            self.out.append("<hr>")
        elif details:
            self.flush()
            self.out.append(f"<details><summary>{inline(details.group(1))}</summary>")
            self.depth += 1
        elif _DETAILS_END.match(line) and self.depth:
            self.flush()
            self.out.append("</details>")
            self.depth -= 1
        elif bullet:
            self.gather("ul", bullet.group(1))
        elif numbered:
            self.gather("ol", numbered.group(1))
        elif quote:
            self.gather("blockquote", quote.group(1))
        elif self.kind in ("ul", "ol") and line.startswith(("  ", "\t")):
            self.lines[-1] += " " + line.strip()  # a list item's continuation
        else:
            self.gather("p" if self.kind != "blockquote" else "blockquote", line.strip())

    def finish(self) -> str:
        self.flush()
        self.out += ["</details>"] * self.depth
        return "\n".join(self.out)


def render(markdown: str, shift: int = 1) -> str:
    """Block HTML for ``markdown``; headings move down ``shift`` levels (the page has its own h1 and h2)."""
    blocks = _Blocks(shift)
    for line in markdown.replace("\r\n", "\n").split("\n"):
        blocks.line(line)
    return blocks.finish()


_DISCORD_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_DISCORD_SUBTEXT = re.compile(r"^-#\s+(.*)$")


def discord(text: str) -> str:
    """Discord's Markdown, line by line, as an embed shows it (headings, bullets, quotes, inline)."""
    lines = []
    for line in text.split("\n"):
        heading, subtext = _DISCORD_HEADING.match(line), _DISCORD_SUBTEXT.match(line)
        bullet, quote = _BULLET.match(line), _QUOTE.match(line)
        if heading:
            lines.append(f'<span class="dc-h{len(heading.group(1))}">{discord_inline(heading.group(2))}</span>')
        elif subtext:
            lines.append(f'<span class="dc-sub">{discord_inline(subtext.group(1))}</span>')
        elif bullet:
            lines.append(f"• {discord_inline(bullet.group(1))}")
        elif quote:
            lines.append(f'<span class="dc-quote">{discord_inline(quote.group(1))}</span>')
        else:
            lines.append(discord_inline(line))
    return "<br>".join(lines)
