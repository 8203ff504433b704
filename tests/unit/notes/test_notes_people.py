"""Bots told apart, and each person counted once, by login, then e-mail, then name."""

from __future__ import annotations

import pytest

from sovereign.notes.model import Change, Commit, PullRequest
from sovereign.notes.people import Person, contributors, is_bot


def commit(name: str, email: str, login: str = "", body: str = "", merge: bool = False) -> Commit:
    parents = ("a" * 40, "b" * 40) if merge else ("a" * 40,)
    return Commit("c" * 40, parents, name, email, 0, "subject", body, login)


@pytest.mark.parametrize(
    ("name", "email", "bot"),
    [
        ("dependabot[bot]", "support@github.com", True),
        ("helper", "777+helper[bot]@users.noreply.github.com", True),
        ("helper", "helper[bot]@users.noreply.github.com", True),
        ("Renovate Bot", "bot@renovateapp.com", True),
        ("robot fan", "42+robot@users.noreply.github.com", False),
        ("pytest bot", "pytestbot@example.com", False),  # a name is no proof
        ("Abbot", "abbot@example.com", False),
    ],
)
def test_is_bot(name, email, bot):
    assert is_bot(name, email) is bot


def test_one_person_across_logins_addresses_names_and_trailers():
    changes = [
        Change([commit("Carol Smith", "carol@work.example", "carol")], PullRequest(1, "t", "u", "carol")),
        Change([commit("Carol S.", "carol@work.example")]),  # same address
        Change([commit("Carol Smith", "carol@home.example")]),  # same name, no login
        Change([commit("Dev", "9+devrao@users.noreply.github.com", body="Co-authored-by: Ned <ned@x.example>")]),
        Change([commit("Dev Rao", "dev@x.example", "devrao")]),  # the noreply login, resolved
        Change([commit("Merger", "m@x.example", merge=True), commit("Ned", "ned@x.example")]),
        Change([commit("Other Carol", "oc@x.example", "carol2"), commit("renovate[bot]", "r@x.example")]),
    ]
    assert contributors(changes) == [
        Person("carol", "carol"),
        Person("devrao", "devrao"),
        Person("Ned", ""),
        Person("carol2", "carol2"),
    ]


def test_a_pr_author_is_not_counted_again_under_an_address_the_api_could_not_resolve():
    change = Change([commit("Carol at work", "unknown@work.example")], PullRequest(1, "t", "u", "carol"))
    assert contributors([change]) == [Person("carol", "carol")]
