"""Notes for a broadcast given none: the GitHub Release's body for the tag.

A release published by hand or by another tool still has its notes on GitHub;
reading them is one GET. When they cannot be read, the broadcast still goes out
(it is only notes), with a warning that says how to pass them.
"""

from __future__ import annotations

import dataclasses

from sovereign.errors import SovereignError
from sovereign.gha import Step
from sovereign.github import GitHub
from sovereign.notify.settings import Settings

NOTES_FIX = (
    "pass changelog-json (the changelog stage's json-file output) or changelog (Markdown notes), "
    "or give github-token (contents: read) so the GitHub Release's notes are used"
)


def needs_notes(settings: Settings) -> bool:
    """A success broadcast with neither a changelog JSON nor notes; a failure needs none."""
    return settings.status == "success" and settings.changelog is None and not settings.notes.strip()


def _release(settings: Settings, step: Step) -> tuple[str, str]:
    """The body and page URL of the tag's published release (drafts are not found)."""
    gh = GitHub(settings.github_token, settings.repository, step.environ)
    what = f"the release {settings.tag}"
    found = gh.get_json(gh.repo_path("releases", "tags", settings.tag), what)
    if not isinstance(found, dict):
        raise SovereignError(f"GitHub answered {what} with something that is not a release", "check GITHUB_API_URL")
    body, url = found.get("body"), found.get("html_url")
    return (body if isinstance(body, str) else ""), (url if isinstance(url, str) else "")


def with_release_notes(step: Step, settings: Settings) -> Settings:
    """``settings`` with the Release's notes (and URL, unless one was given) when they are needed and readable."""
    if not needs_notes(settings):
        return settings
    if not settings.github_token or not settings.repository:
        step.warning(f"the message for {settings.tag} has no release notes (no changelog given) — {NOTES_FIX}")
        return settings
    try:
        body, url = _release(settings, step)
    except SovereignError as err:
        step.warning(f"the message has no release notes: {err.what} — {NOTES_FIX}")
        return settings
    if not body.strip():
        step.warning(f"the GitHub Release for {settings.tag} has no notes, so neither has the message — {NOTES_FIX}")
        return settings
    step.info(f"notify: notes from the GitHub Release for {settings.tag} ({len(body)} characters)")
    return dataclasses.replace(settings, notes=body, release_url=settings.release_url or url)
