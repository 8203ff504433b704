"""Small shared helpers several stages use: errors.raise_all, markdown.heading."""

from __future__ import annotations

import pytest

from sovereign.errors import Failed, SovereignError, raise_all
from sovereign.markdown import heading


def test_raise_all_raises_nothing_one_problem_itself_or_all():
    raise_all([])
    one = SovereignError("bad", "fix")
    with pytest.raises(SovereignError) as caught:
        raise_all([one])
    assert caught.value is one
    with pytest.raises(Failed) as several:
        raise_all([one, SovereignError("worse")])
    assert [p.what for p in several.value.problems] == ["bad", "worse"]


def test_heading_shows_the_tag_as_code_without_escapes():
    assert heading("notify", "v1.0.0+build_1") == "## Sovereign notify — `v1.0.0+build_1`\n\n"
    assert heading("changelog", "v1`x", dry_run=True) == "## Sovereign changelog — `v1'x` (dry-run)\n\n"


@pytest.mark.parametrize(
    ("url", "repository"),
    [
        ("git@github.com:octo/widget.git", "octo/widget"),
        ("git@github.com:octo/widget", "octo/widget"),
        ("github.com:octo/widget.git", "octo/widget"),
        ("ssh://git@github.com/octo/widget.git", "octo/widget"),
        ("ssh://git@ghe.example.com:2222/octo/widget", "octo/widget"),
        ("https://github.com/octo/widget.git", "octo/widget"),
        ("https://github.com/octo/widget", "octo/widget"),
        ("https://github.com/octo/widget/", "octo/widget"),
        ("https://ghe.example.com/octo/my.widget.git\n", "octo/my.widget"),
        ("git://github.com/octo/widget.git", "octo/widget"),
        ("/srv/git/widget.git", ""),
        ("../widget", ""),
        ("https://gitlab.example.com/group/sub/widget.git", ""),
        ("", ""),
    ],
)
def test_the_repository_is_read_from_every_remote_url_form(url, repository):
    from sovereign.github_env import repository_of_remote

    assert repository_of_remote(url) == repository
