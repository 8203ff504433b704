"""Each preview renderer on its own: the layout it produces, and that hostile
text (commit messages are untrusted) stays text and never becomes a tag or a link."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from sovereign.markdown import escape
from sovereign.preview import discord, grafana, markdown_html, slack, sparkline, teams
from sovereign.preview.markup import safe_href

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "</details><script>alert(2)</script>",
    "`</code><img src=x>`",
]


def fixture(name: str) -> object:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def visible(markup: str) -> str:
    """The text a browser shows for ``markup``."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def assert_inert(markup: str) -> None:
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", markup))
    assert not tags & {"script", "img", "iframe", "object", "embed", "svg"}, markup
    assert not re.search(r"\son\w+\s*=", re.sub(r"&[a-z]+;|>[^<]*<", "><", markup)), markup
    for href in re.findall(r'href="([^"]*)"', markup):
        assert html.unescape(href).startswith(("https://", "http://", "mailto:")), href


# -- links ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://github.com/o/r/commit/abc", True),
        ("http://127.0.0.1:3000/d/x", True),
        ("mailto:team@example.com", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("vbscript:x", False),
        ("//evil.example/x", False),
        ("/relative/path", False),
        ("https://", False),
        ("https://exa mple.com", False),
        ("https://example.com/\x00", False),
    ],
)
def test_only_http_and_mailto_urls_become_links(url, allowed):
    assert bool(safe_href(url)) is allowed


# -- Markdown (the changelog) -------------------------------------------------------


CHANGELOG = """## v1.1.0 (2026-01-08)

[Compare v1.0.0...v1.1.0](https://github.com/o/r/compare/v1.0.0...v1.1.0) · 6 commit(s)

### ⚠️ Breaking changes

- **cli:** rename --out to --output ([21ed091](https://github.com/o/r/commit/21ed091)) by Ann ⚠️
- fix \\*stars\\* and \\_underscores\\_ and `code <b>`

_No changes to list._

<details><summary>Left out (1)</summary>

- chore\\(release\\): prepare 1.1.0 (123ea4a) — release commit

</details>
"""


def test_the_changelog_subset_renders():
    out = markdown_html.render(CHANGELOG)
    assert "<h3>v1.1.0 (2026-01-08)</h3>" in out and "<h4>⚠️ Breaking changes</h4>" in out
    assert '<a href="https://github.com/o/r/compare/v1.0.0...v1.1.0" rel="noopener noreferrer nofollow">' in out
    assert "<li><strong>cli:</strong> rename --out to --output (<a " in out
    assert "fix *stars* and _underscores_ and <code>code &lt;b&gt;</code>" in out, "escapes show literally"
    assert "<p><em>No changes to list.</em></p>" in out
    assert "<details><summary>Left out (1)</summary>\n<ul><li>chore(release): prepare 1.1.0" in out
    assert out.endswith("</details>")


def test_other_block_forms():
    out = markdown_html.render("1. one\n2. two\n\n> quoted\n\n---\n```\n<b>\n```\n- item\n  continued")
    assert "<ol><li>one</li><li>two</li></ol>" in out
    assert "<blockquote><p>quoted</p></blockquote>" in out and "<hr>" in out
    assert "<pre><code>&lt;b&gt;</code></pre>" in out
    assert "<ul><li>item continued</li></ul>" in out


def test_details_stay_balanced():
    assert markdown_html.render("</details>\n\ntext") == "<p>&lt;/details&gt;</p>\n<p>text</p>"
    assert markdown_html.render("<details><summary>a</summary>\n\n- b").endswith("</ul>\n</details>")


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_in_the_notes_stay_text(title):
    """As the changelog writes them (escaped) and raw (a hand-edited file)."""
    escaped = markdown_html.render(f"- **scope:** {escape(title)} ([abc](https://github.com/o/r/commit/abc))")
    assert_inert(escaped)
    assert " ".join(title.split()) in visible(escaped)
    assert_inert(markdown_html.render(f"# {title}\n\n{title}\n\n- {title}\n\n> {title}"))


def test_emphasis_does_not_swallow_escapes():
    assert markdown_html.inline(r"**a\***") == "<strong>a*</strong>"
    assert markdown_html.inline("snake_case_name") == "snake_case_name"
    assert markdown_html.inline("[a](https://x.example/p_(q))").startswith('<a href="https://x.example/p_(q)"')


# -- Slack ---------------------------------------------------------------------------


def test_slack_message_lays_out_every_block():
    out = slack.message(fixture("notify/slack-v1.4.0.json"))
    payload = fixture("notify/slack-v1.4.0.json")
    kinds = [b["type"] for b in payload["blocks"]]  # type: ignore[index]
    assert out.count('class="sl-header"') == kinds.count("header") == 1
    assert out.count('class="sl-section"') == kinds.count("section")
    assert out.count('class="sl-divider"') == kinds.count("divider")
    assert 'class="sl-fields"' in out and 'class="sl-context"' in out
    assert re.search(r'<span class="sl-button"><a href="https://[^"]+"', out)
    assert_inert(out)


def test_slack_mrkdwn():
    assert slack.mrkdwn("*bold* _it_ ~gone~ `x`") == "<strong>bold</strong> <em>it</em> <s>gone</s> <code>x</code>"
    assert slack.mrkdwn("<https://e.example/a?b=1&amp;c=2|label>") == (
        '<a href="https://e.example/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">label</a>'
    )
    assert slack.mrkdwn("line\n<!channel> <@U123>") == (
        'line<br><span class="sl-mention">@channel</span> <span class="sl-mention">@U123</span>'
    )
    assert slack.mrkdwn("&lt;script&gt;") == "&lt;script&gt;", "entities decoded, then escaped for HTML"
    assert slack.mrkdwn("<javascript:alert(1)|click>") == "click"
    assert slack.mrkdwn("a*b*c") == "a*b*c", "Slack needs a word boundary around *bold*"


def test_slack_images_and_unknown_blocks_load_nothing():
    out = slack.message(
        {
            "blocks": [
                {"type": "image", "image_url": "https://e.example/x.png", "alt_text": "<b>chart</b>"},
                {"type": "video"},
                {"type": "context", "elements": [{"type": "image", "image_url": "https://e/x", "alt_text": "i"}]},
            ]
        }
    )
    assert "[image: &lt;b&gt;chart&lt;/b&gt;]" in out and "[video block]" in out and "e.example" not in out


@pytest.mark.parametrize("title", HOSTILE)
def test_slack_hostile_text(title):
    from sovereign.notify.sanitize import slack as slack_escape  # the stage's own escaping

    block = {"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(title)}}
    out = slack.message({"blocks": [{"type": "header", "text": {"type": "plain_text", "text": title}}, block]})
    assert_inert(out)
    assert " ".join(title.split()) in visible(out)


# -- Discord ---------------------------------------------------------------------------


def test_discord_embed():
    out = discord.message(fixture("notify/discord-v1.4.0.json"))
    assert 'class="dc-embed" style="border-left-color:#' in out
    assert re.search(r'<div class="dc-title"><a href="https://', out)
    assert 'class="dc-field dc-inline"' in out and 'class="dc-footer"' in out
    assert_inert(out)


def test_discord_markdown():
    out = markdown_html.discord("# Head\n- item **b** __u__ ~~s~~\n> quote\nsee https://e.example/a.")
    assert '<span class="dc-h1">Head</span>' in out
    assert "• item <strong>b</strong> <u>u</u> <s>s</s>" in out
    assert '<span class="dc-quote">quote</span>' in out
    assert 'see <a href="https://e.example/a" rel="noopener noreferrer nofollow">https://e.example/a</a>.' in out


@pytest.mark.parametrize("title", HOSTILE)
def test_discord_hostile_text(title):
    from sovereign.notify.sanitize import discord as discord_escape

    out = discord.message({"content": title, "embeds": [{"title": title, "description": discord_escape(title)}]})
    assert_inert(out)
    assert "javascript:" not in "".join(re.findall(r'href="[^"]*"', out))


def test_discord_colour_is_only_ever_a_hex_colour():
    assert 'border-left-color:#ff0000"' in discord.embed({"color": 0xFF0000})
    assert 'border-left-color:#1e1f22"' in discord.embed({"color": "red;background:url(x)"})


# -- Teams ------------------------------------------------------------------------------


def test_teams_card_from_notify():
    out = teams.message(fixture("notify/teams-v1.4.0.json"))
    assert 'class="ac-card"' in out and "ac-container ac-style-good ac-bleed" in out
    assert 'class="ac-size-large ac-weight-bolder ac-color-good"' in out
    assert re.search(r'<span class="ac-button"><a href="https://', out)
    assert_inert(out)


def test_teams_elements():
    card = {
        "type": "AdaptiveCard",
        "body": [
            {"type": "TextBlock", "text": "**Bold** and [link](https://e.example)\nline two", "size": "Medium"},
            {"type": "FactSet", "facts": [{"title": "Tag", "value": "v1.2.3"}]},
            {
                "type": "ColumnSet",
                "columns": [
                    {"width": "auto", "items": [{"type": "TextBlock", "text": "left"}]},
                    {"width": "2", "items": [{"type": "TextBlock", "text": "right"}]},
                ],
            },
            {"type": "ActionSet", "actions": [{"type": "Action.OpenUrl", "title": "Bad", "url": "javascript:x"}]},
            {"type": "Image", "url": "https://e.example/i.png", "altText": "logo"},
            {"type": "Media"},
        ],
    }
    out = teams.message(card)
    assert '<strong>Bold</strong> and <a href="https://e.example"' in out and "<br>line two" in out
    assert "<tr><th>Tag</th><td>v1.2.3</td></tr>" in out
    assert 'style="flex:0 0 auto"' in out and 'style="flex:2 1 0"' in out
    assert '<span class="ac-button">Bad</span>' in out, "a javascript: action is not a link"
    assert "[image: logo]" in out and "[Media element]" in out and "e.example/i.png" not in out


@pytest.mark.parametrize("title", HOSTILE)
def test_teams_hostile_text(title):
    runs = [{"type": "TextRun", "text": title, "selectAction": {"type": "Action.OpenUrl", "url": title}}]
    card = {
        "type": "AdaptiveCard",
        "body": [{"type": "RichTextBlock", "inlines": runs}, {"type": "TextBlock", "text": title}],
    }
    out = teams.message(card)
    assert_inert(out)
    assert title in visible(out)


# -- sparkline --------------------------------------------------------------------------


def test_sparkline_draws_each_series_with_gaps():
    out = sparkline.svg([[(0, 1.0), (1, 3.0), (2, None), (3, 2.0), (4, 5.0)], [(0, 4.0)]], "rate <api>")
    assert out.count("<polyline") == 2, "a gap splits the first series in two runs"
    assert out.count("<circle") == 1, "a lone point is a dot"
    assert "<title>rate &lt;api&gt;</title>" in out
    xs_ys = [tuple(map(float, p.split(","))) for p in re.findall(r"[\d.]+,[\d.]+", out)]
    assert all(0 <= x <= sparkline.WIDTH and 0 <= y <= sparkline.HEIGHT for x, y in xs_ys)
    top = min(y for _, y in xs_ys)
    assert top == pytest.approx(sparkline.PAD), "the highest value touches the top"


def test_sparkline_edge_cases():
    assert sparkline.svg([], "x") == "" and sparkline.svg([[(0, None)]], "x") == ""
    flat = sparkline.svg([[(0, 2.0), (1, 2.0)]], "flat")
    assert f",{sparkline.HEIGHT / 2:.1f}" in flat, "a flat line sits in the middle"


# -- Grafana ----------------------------------------------------------------------------


def test_annotation_text_keeps_grafanas_few_tags():
    text = '<b>o/r v1</b><br>3 commit(s)<br><a href="https://github.com/o/r/compare/a...b">changes</a>'
    out = grafana.annotation_html(text)
    assert out.startswith('<b>o/r v1</b><br>3 commit(s)<br><a href="https://github.com/o/r/compare/a...b"')


@pytest.mark.parametrize(
    "text",
    [
        '<img src=x onerror="alert(1)">',
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<b onclick="x()">unclosed <i>tags',
        '<a href="https://ok.example" onmouseover="x()">ok</a>',
        "<svg><script>1</script></svg>",
    ],
)
def test_annotation_text_is_sanitised(text):
    out = grafana.annotation_html(text)
    assert_inert(out)
    assert out.count("<") == out.count(">")
    opened = re.findall(r"<(b|i|a|span)\b", out)
    assert len(opened) == len(re.findall(r"</(b|i|a|span)>", out)), "balanced"


def snapshot_record() -> dict[str, object]:
    return {
        "schema": "sovereign.grafana-snapshot/v1",
        "dry_run": False,
        "time": {"from": "2026-05-22T06:00:00Z", "to": "2026-05-22T12:00:00Z"},
        "panels": [{"label": "#1 Request rate", "status": "embedded", "detail": "1 request"}],
        "request": fixture("grafana/expected-snapshot-release-overview.json"),
        "response": {"url": "https://grafana.example/dashboard/snapshot/abc"},
    }


def test_snapshot_panels_with_sparklines():
    out = grafana.snapshot(snapshot_record())  # type: ignore[arg-type]
    model = fixture("grafana/expected-snapshot-release-overview.json")["dashboard"]  # type: ignore[index]
    series_panels = [p for p in model["panels"] if p["type"] == "timeseries" and p["targets"][0]["snapshot"]]
    assert out.count('<svg class="spark"') >= len(series_panels) >= 2
    assert '<a href="https://grafana.example/dashboard/snapshot/abc"' in out
    assert '<h4 class="panel-row">Details</h4>' in out
    assert "<td>/api/orders</td><td>812.5</td>" in out, "a table panel shows its rows"
    assert '<span class="badge embedded">embedded</span>' in out
    assert "job=api" in out, "series are named by their labels"


def test_snapshot_from_old_grafana_snapshot_data():
    panel = {
        "type": "graph",
        "title": "old",
        "snapshotData": [
            {
                "fields": [
                    {"name": "t", "type": "time", "values": [1, 2, 3]},
                    {"name": "v", "type": "number", "values": [1, None, 3]},
                ]
            }
        ],
    }
    assert "<circle" in grafana.panel_body(panel) and grafana.panel_body(panel).count("<circle") == 2


def test_snapshot_dry_run_without_a_token():
    out = grafana.snapshot({"dry_run": True, "request": {"name": "Release v1"}, "response": None})
    assert "dry-run: not created" in out and "no panels" in out


def test_push_report():
    record = {
        "dry_run": True,
        "annotation": {"action": "skipped", "reason": "no grafana-url"},
        "metrics": {"format": "influx", "count": 1, "series": [{"name": "m<x>", "labels": {"a": "b"}, "value": 2}]},
    }
    out = grafana.push(record)
    assert "Annotation skipped: no grafana-url" in out and "<code>m&lt;x&gt;</code>" in out and "dry-run" in out
