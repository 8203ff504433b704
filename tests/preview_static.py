"""Static checks of a preview page, shared by the unit tests and the browser test:
nothing in it may load from anywhere, and only plain ``<a>`` links may point out."""

from __future__ import annotations

from html.parser import HTMLParser

from sovereign.preview.page import CSP

URL_ATTRIBUTES = frozenset(
    {"src", "srcset", "href", "xlink:href", "action", "formaction", "poster", "data", "background"}
)


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.csp = ""
        self.links: list[str] = []
        self.tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tag = tag
        if tag in ("script", "img", "iframe", "object", "embed", "link", "base", "form", "video", "audio", "source"):
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            self.csp = values.get("content", "")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name == "style" and "url(" in value:
                self.problems.append(f"url() in a style attribute of <{tag}>")
            if name in URL_ATTRIBUTES:
                if tag == "a" and name == "href" and value.startswith(("https://", "http://", "mailto:", "#")):
                    self.links.append(value)
                else:
                    self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data: str) -> None:
        if self.tag == "style" and ("@import" in data or "url(" in data):
            self.problems.append("a stylesheet that could load something")


def problems(html: str) -> list[str]:
    """Everything in ``html`` that could load or run something; [] for a sound page."""
    scan = _Scan()
    scan.feed(html)
    scan.close()
    if scan.csp != CSP:
        scan.problems.append(f"Content-Security-Policy is {scan.csp!r}")
    return scan.problems


def links(html: str) -> list[str]:
    scan = _Scan()
    scan.feed(html)
    return scan.links
