"""Untrusted prose in Markdown: reads as written, renders as written, notifies nobody."""

from __future__ import annotations

import pytest

from sovereign.markdown import plural, prose


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("use `--with-commit` in snake_case (#12)", "use `--with-commit` in snake_case (#12)"),
        ("`a|b` and ``x ` y``", "`a|b` and ``x ` y``"),
        ("[link](javascript:alert(1))", "[link\\](javascript:alert(1))"),
        ("![img](x) [ref][y] [def]: http://x", "![img\\](x) [ref\\][y] [def\\]: http://x"),
        ("<img src=x> <http://a> <!-- c --> pytest<6", "\\<img src=x> \\<http://a> \\<!-- c --> pytest<6"),
        ("__init__ and *bold* and _it_", "\\_\\_init\\_\\_ and \\*bold\\* and \\_it\\_"),
        ("~one~ two", "\\~one\\~ two"),
        ("nodes._check_paths for 2 * 3", "nodes._check_paths for 2 * 3"),  # one mark alone opens nothing
        ("_private and _other", "\\_private and \\_other"),
        ("about ~75 typos", "about ~75 typos"),
        ("&#64;team and Tom & Jerry", "\\&#64;team and Tom & Jerry"),
        ("ping @acme/all-engineers, @bob and a@b.com", "ping `@acme/all-engineers`, `@bob` and a@b.com"),
        ("`@quoted` stays", "`@quoted` stays"),
        ("unbalanced ` tick", "unbalanced \\` tick"),
        ("# heading", "\\# heading"),
        ("#123 first", "#123 first"),
        ("- item", "\\- item"),
        ("--flag", "--flag"),
        ("> quote", "\\> quote"),
        ("1. first", "1\\. first"),
        ("[ ] box", "\\[ ] box"),
        ("[refactor] x", "[refactor] x"),
        ("a  \n b", "a b"),
    ],
)
def test_prose(text, expected):
    assert prose(text) == expected


def test_plural():
    assert [plural(n, "pull request") for n in (0, 1, 2)] == ["0 pull requests", "1 pull request", "2 pull requests"]
    assert plural(2, "entry", "entries") == "2 entries"
