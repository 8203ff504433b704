"""The preview page: what each stage left in the artifacts directory, shown as
people will see it. One self-contained file: inline CSS, no scripts, nothing
loaded from outside (and a Content-Security-Policy that forbids it anyway)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sovereign.artifacts import file_name
from sovereign.preview import discord, grafana, slack, teams
from sovereign.preview.markdown_html import render as markdown
from sovereign.preview.markup import arr, css_class, esc, obj, txt

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
CHANNELS: dict[str, tuple[str, Callable[[object], str]]] = {
    "slack": ("Slack", slack.message),
    "discord": ("Discord", discord.message),
    "teams": ("Microsoft Teams", teams.message),
}
RESULT_ICON = {"pass": "✅ pass", "fail": "❌ fail", "skip": "⏭️ skip", "warn": "⚠️ warn"}


class Artifacts:
    """The files of one release in the artifacts directory, read as data."""

    def __init__(self, directory: Path, tag: str) -> None:
        self.directory, self.tag = directory, tag

    def name(self, kind: str, suffix: str = "json") -> str:
        return file_name(kind, self.tag, suffix)

    def text(self, kind: str, suffix: str) -> str | None:
        path = self.directory / self.name(kind, suffix)
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def json(self, kind: str) -> dict[str, Any] | str | None:
        """The JSON object, None when the file is absent, or why it could not be read."""
        text = self.text(kind, "json")
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError as err:
            return f"{self.name(kind)} is not valid JSON: {err}"
        return data if isinstance(data, dict) else f"{self.name(kind)} does not hold a JSON object"


def _missing(files: Artifacts, kind: str, suffix: str, stage: str) -> str:
    return f'<p class="missing">Not run yet: no <code>{esc(files.name(kind, suffix))}</code>. Run {esc(stage)} to fill this in.</p>'


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{esc(title)}</h2>\n{body}\n</section>'


def sentinel(report: dict[str, Any]) -> str:
    rows = "".join(
        f'<tr class="{css_class(obj(c).get("result"))}"><td><code>{esc(txt(obj(c).get("name")))}</code></td>'
        f"<td>{esc(RESULT_ICON.get(txt(obj(c).get('result')), txt(obj(c).get('result'))))}</td>"
        f"<td>{esc(txt(obj(c).get('reason')))}</td><td>{esc(txt(obj(c).get('fix')))}</td></tr>"
        for c in arr(report.get("checks"))
    )
    previous = txt(report.get("previous_tag"))
    head = f"<p>Previous release: <code>{esc(previous)}</code></p>" if previous else ""
    return (
        f"{head}<table><thead><tr><th>check</th><th>result</th><th>why</th><th>fix</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def notifications(record: dict[str, Any]) -> str:
    parts = []
    for item in arr(record.get("channels")):
        channel = txt(obj(item).get("channel"))
        title, render = CHANNELS.get(channel, (channel, lambda _: '<p class="note">No preview for this channel.</p>'))
        result = obj(obj(item).get("result"))
        state = "sent" if result.get("delivered") is True else txt(result.get("detail")) or "not sent"
        parts.append(
            f'<h3>{esc(title)} <span class="chip">{esc(state)}</span></h3>'
            f'<div class="channel channel-{css_class(channel)}">{render(obj(item).get("payload"))}</div>'
        )
    return "\n".join(parts) or '<p class="note">No channel in this record.</p>'


def _json_section(files: Artifacts, kind: str, stage: str, render: Callable[[dict[str, Any]], str]) -> str:
    data = files.json(kind)
    if data is None:
        return _missing(files, kind, "json", stage)
    if isinstance(data, str):
        return f'<p class="fail">{esc(data)}</p>'
    return render(data)


NOTES_LINES = 2_000  # a preview is for looking: a release of thousands of entries shows its start


def _notes(notes: str, file_name: str) -> str:
    lines = notes.splitlines()
    if len(lines) <= NOTES_LINES:
        return f'<div class="notes">{markdown(notes)}</div>'
    shown = markdown("\n".join(lines[:NOTES_LINES]))
    rest = f"<p><em>… {len(lines) - NOTES_LINES:,} more lines in {esc(file_name)}</em></p>"
    return f'<div class="notes">{shown}{rest}</div>'


def build(directory: Path, tag: str, stage: str = "") -> str:
    """The whole page for ``tag`` from whatever artifacts ``directory`` holds."""
    files = Artifacts(directory, tag)
    notes = files.text("changelog", "md")
    about = next(
        (
            obj(d)
            for d in (files.json("changelog"), files.json("notify"), files.json("grafana-push"))
            if isinstance(d, dict)
        ),
        {},
    )
    repository = txt(about.get("repository"))
    dry_run = any(obj(files.json(k)).get("dry_run") is True for k in ("notify", "grafana-push", "grafana-snapshot"))
    sections = [
        ("sentinel", "Sentinel checks", _json_section(files, "sentinel", "sentinel", sentinel)),
        (
            "notes",
            "Release notes",
            _notes(notes, files.name("changelog", "md"))
            if notes is not None
            else _missing(files, "changelog", "md", "changelog"),
        ),
        ("notify", "Notifications", _json_section(files, "notify", "notify", notifications)),
        (
            "grafana-push",
            "Grafana annotation and metrics",
            _json_section(files, "grafana-push", "grafana-push", grafana.push),
        ),
        (
            "snapshot",
            "Grafana snapshot",
            _json_section(files, "grafana-snapshot", "grafana-snapshot", grafana.snapshot),
        ),
    ]
    nav = " · ".join(f'<a href="#{anchor}">{esc(title)}</a>' for anchor, title, _ in sections)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    by = f" by {esc(stage)}" if stage else ""
    title = esc(" ".join(p for p in (repository, tag) if p))
    badge = ' <span class="chip dry">dry-run</span>' if dry_run else ""
    body = "\n".join(_section(anchor, heading, html) for anchor, heading, html in sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Release preview — {title}</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>Release preview — {title}{badge}</h1>
<p class="note">What people will see. Refreshed{by} at {when} from the files in this directory. Nothing on this page is loaded from elsewhere.</p>
<nav>{nav}</nav></header>
<main>
{body}
</main>
</body>
</html>
"""


STYLE = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--soft)}
header{background:#24292f;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:24px}
header .note{color:#c9d1d9}
nav a{color:#9ecbff;margin-right:4px}
main{max-width:1100px;margin:0 auto;padding:8px 24px 48px}
section{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:4px 24px 20px;margin:20px 0}
h2{font-size:20px;border-bottom:1px solid var(--line);padding-bottom:6px}
h3{font-size:16px;margin:20px 0 8px}
a{color:#0969da}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);padding:1px 4px;border-radius:4px}
pre{background:var(--soft);padding:10px;border-radius:6px;overflow:auto;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--soft)}
td.num,.num{text-align:right;font-variant-numeric:tabular-nums}
tr.pass td:nth-child(2){color:#1a7f37}tr.fail td{background:#ffebe9}tr.skip td:nth-child(2){color:var(--muted)}tr.warn td{background:#fff8c5}
.note,.missing{color:var(--muted)}.missing{font-style:italic}.fail{color:#cf222e}
.alt{color:var(--muted);font-style:italic}
.chip{display:inline-block;font-size:12px;font-weight:normal;background:#eaeef2;color:var(--fg);border-radius:10px;padding:0 8px;margin:0 2px}
.chip.dry{background:#fff8c5;color:#6a5300}
.notes details{margin:8px 0}.notes summary{cursor:pointer;color:var(--muted)}
/* Slack */
.slack{display:flex;gap:10px;font-family:Lato,"Helvetica Neue",Arial,sans-serif;background:#fff;border:1px solid #e8e8e8;border-radius:6px;padding:12px 16px;max-width:720px}
.sl-avatar,.dc-avatar,.tm-avatar{flex:0 0 36px;height:36px;border-radius:6px;background:#4a154b;color:#fff;font-weight:bold;display:flex;align-items:center;justify-content:center}
.sl-body,.dc-body,.tm-body{flex:1;min-width:0}
.sl-name{font-weight:900}.sl-app,.dc-bot{font-size:10px;background:#e8e8e8;color:#616061;border-radius:3px;padding:1px 3px;vertical-align:middle}
.sl-header{font-size:18px;font-weight:900;margin:6px 0}
.sl-section{margin:6px 0;display:flex;gap:12px}.sl-section>.sl-text{flex:1}
.sl-fields{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px;flex:1}
.sl-divider{border:0;border-top:1px solid #ddd;margin:10px 0}
.sl-context{font-size:12px;color:#616061;margin:6px 0}
.sl-actions{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0}
.sl-button{border:1px solid #bbb;border-radius:4px;padding:3px 12px;font-weight:bold;font-size:14px}
.sl-button a{color:#1d1c1d;text-decoration:none}.sl-primary{background:#007a5a;border-color:#007a5a}.sl-primary a{color:#fff}
.sl-danger{background:#e01e5a;border-color:#e01e5a}.sl-danger a{color:#fff}
.slack a{color:#1264a3}.sl-mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
.slack code{color:#e01e5a;background:#f8f8f8;border:1px solid #ddd}
/* Discord */
.discord{display:flex;gap:14px;background:#313338;color:#dbdee1;border-radius:6px;padding:14px 16px;max-width:720px;font-family:"gg sans","Noto Sans","Helvetica Neue",Arial,sans-serif}
.dc-avatar{border-radius:50%;background:#5865f2;flex-basis:40px;height:40px}
.dc-name{color:#f2f3f5;font-weight:600}.dc-bot{background:#5865f2;color:#fff}
.dc-embed{background:#2b2d31;border-left:4px solid #1e1f22;border-radius:4px;padding:8px 16px 12px 12px;margin-top:6px;max-width:520px;font-size:14px}
.dc-author{font-weight:600;font-size:13px}.dc-title{font-weight:600;margin:4px 0;color:#f2f3f5}
.dc-description{margin:6px 0}
.dc-fields{display:flex;flex-wrap:wrap;gap:8px 0}.dc-field{flex:0 0 100%}.dc-field.dc-inline{flex:0 0 33.3%}
.dc-field-name{font-weight:600;color:#f2f3f5}
.dc-footer{font-size:12px;color:#b5bac1;margin-top:8px}
.discord a{color:#00a8fc}.discord code{background:#1e1f22;color:#dbdee1}
.dc-h1{font-size:20px;font-weight:700}.dc-h2{font-size:17px;font-weight:700}.dc-h3{font-weight:700}
.dc-sub{font-size:12px;color:#949ba4}.dc-quote{border-left:3px solid #4e5058;padding-left:8px}
/* Teams */
.teams{display:flex;gap:10px;background:#f5f5f5;border-radius:6px;padding:14px 16px;max-width:720px;font-family:"Segoe UI",system-ui,sans-serif}
.tm-avatar{background:#5b5fc7;border-radius:50%}.tm-name{font-weight:600;font-size:13px;margin-bottom:4px}
.ac-card{background:#fff;border:1px solid #e1dfdd;border-radius:6px;padding:12px 16px;overflow:hidden}
.ac-text{margin-top:8px;white-space:normal}
.ac-spacing-none{margin-top:0}.ac-spacing-small{margin-top:4px}.ac-spacing-medium{margin-top:12px}.ac-spacing-large{margin-top:20px}
.ac-separator{border-top:1px solid #e1dfdd;padding-top:8px}
.ac-size-small{font-size:12px}.ac-size-medium{font-size:17px}.ac-size-large{font-size:21px}.ac-size-extralarge{font-size:26px}
.ac-weight-bolder{font-weight:700}.ac-weight-lighter{font-weight:300}.ac-isSubtle{color:#605e5c}
.ac-italic{font-style:italic}.ac-strikethrough{text-decoration:line-through}.ac-underline{text-decoration:underline}
.ac-color-good{color:#0b6a0b}.ac-color-attention{color:#c4314b}.ac-color-warning{color:#835b00}.ac-color-accent{color:#0f6cbd}
.ac-align-center{text-align:center}.ac-align-right{text-align:right}
.ac-container{padding:2px 0}.ac-bleed{margin:-12px -16px 0;padding:4px 16px 12px}
.ac-style-good{background:#e7f2da}.ac-style-attention{background:#fbe5e7}.ac-style-warning{background:#fff4ce}
.ac-style-emphasis{background:#f3f2f1}.ac-style-accent{background:#deecf9}
.ac-columns{display:flex;gap:12px}.ac-column{min-width:0}
.ac-facts{width:auto;margin-top:8px}.ac-facts th,.ac-facts td{border:0;background:none;padding:2px 12px 2px 0}
.ac-actions{display:flex;gap:8px;flex-wrap:wrap;margin-top:12px}
.ac-button{border:1px solid #d1d1d1;border-radius:4px;padding:4px 12px;font-weight:600}.ac-button a{color:#242424;text-decoration:none}
.teams a{color:#0f6cbd}
/* Grafana */
.annotation{border-left:4px solid #00d3ff;background:var(--soft);padding:8px 12px;border-radius:4px}
.annotation-head{font-size:13px;color:var(--muted)}.annotation-time{font-size:12px;color:var(--muted)}
.panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
.panel{background:#181b1f;color:#ccccdc;border:1px solid #2c3235;border-radius:4px;padding:8px 12px}
.panel table{font-size:12px}.panel th{background:#22252b}.panel th,.panel td{border-color:#2c3235}
.panel .note{color:#8e8e9e}.panel a{color:#6e9fff}
.panel-title{font-weight:600;margin-bottom:6px}.panel .chip{background:#2c3235;color:#ccccdc}
.panel-row{grid-column:1/-1;margin:8px 0 0;border-bottom:1px solid var(--line)}
.badge{font-size:11px;border-radius:3px;padding:0 5px;background:#2c3235}.badge.embedded{background:#1a7f37;color:#fff}
.badge.skipped{background:#9a6700;color:#fff}
.spark{display:block;max-width:100%;height:auto;border-radius:3px}
.legend{list-style:none;padding:0;margin:6px 0 0;font-size:12px}
.swatch{display:inline-block;width:10px;height:3px;margin-right:6px;vertical-align:middle}
.big-value{font-size:32px;font-weight:600;color:#73bf69}
"""
