"""Who made a release: bots told apart from people, and each person counted once.

A person may appear as a login (a pull request's author), as a git name and
address (a direct commit), and in a ``Co-authored-by:`` trailer. Identities are
merged by login first (the API's, or the one in a GitHub noreply address),
then by e-mail address, then, for an identity with no login, by name; so
``source: git``, ``auto`` and ``github`` count the same people. Only the API
can tie a login to an address it does not show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sovereign.notes.model import Change

BOT_SUFFIX = "[bot]"
_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[\w.-]+?)(?P<bot>\[bot\])?@users\.noreply\.github\.com$", re.I)
# Bots that commit under a fixed address of their own and a name without [bot].
_BOT_ADDRESSES = frozenset({"bot@renovateapp.com"})
_CO_AUTHOR = re.compile(r"^[ \t]*Co-authored-by:[ \t]*(?P<name>[^<\n]*?)[ \t]*<(?P<email>[^>\n]+)>[ \t]*$", re.I | re.M)


def is_bot(name: str, email: str = "") -> bool:
    """A GitHub App (``name[bot]``, its noreply address) or a bot known by its address."""
    noreply = _NOREPLY.match(email.strip())
    return (
        name.strip().lower().endswith(BOT_SUFFIX)
        or bool(noreply and noreply.group("bot"))
        or email.strip().lower() in _BOT_ADDRESSES
    )


@dataclass(frozen=True)
class Identity:
    name: str  # shown when no login is known
    email: str = ""
    login: str = ""  # resolved by the GitHub API


@dataclass(frozen=True)
class Person:
    shown: str  # the login when the API resolved one, else the first git name seen
    login: str  # "" when the API did not resolve one: such a name is never an @mention


def identities(change: Change) -> list[Identity]:
    """Everyone who wrote ``change``: the PR's author, each commit's author and co-authors."""
    found: list[Identity] = []
    pr_login = change.pr.author if change.pr else ""
    if pr_login:
        found.append(Identity(pr_login, login=pr_login))
    for commit in change.commits:
        # A merge's author merged the work; with the PR's author known, a commit author the
        # API could not resolve is most likely that author under another address: not counted twice.
        if not commit.is_merge and (commit.login or not pr_login):
            found.append(Identity(commit.author or commit.login, commit.email, commit.login))
        found += [Identity(m["name"] or m["email"], m["email"]) for m in _CO_AUTHOR.finditer(commit.body)]
    return found


def _keys(who: Identity) -> tuple[list[str], str]:
    """What ties ``who`` to others: login and address keys, and the name key."""
    noreply = _NOREPLY.match(who.email.strip())
    login = who.login or (noreply.group("login") if noreply else "")
    keys = [f"login:{login.lower()}"] if login else []
    keys += [f"email:{who.email.strip().lower()}"] if who.email.strip() else []
    name = f"name:{' '.join(who.name.lower().split())}"
    # One name, two addresses (work and home): one person. Two logins are two people, whatever their
    # names: only an identity without a login is looked up by name.
    return (keys if login else [*keys, name]), name


def contributors(changes: Iterable[Change]) -> list[Person]:
    """The people (never bots) who wrote ``changes``, each once, in order of first appearance."""
    root: list[int] = []  # union-find over people, by index of first appearance
    names: list[str] = []
    logins: list[str] = []
    owner: dict[str, int] = {}

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for change in changes:
        for who in identities(change):
            if not who.name.strip() or is_bot(who.name, who.email) or is_bot(who.login):
                continue
            keys, name = _keys(who)
            hits = sorted({find(owner[k]) for k in keys if k in owner})
            if hits:
                person = hits[0]
                for other in hits[1:]:  # this identity ties two people seen apart: one person
                    root[other] = person
                    logins[person] = logins[person] or logins[other]
            else:
                person = len(root)
                root.append(person)
                names.append(who.name.strip())
                logins.append("")
            logins[person] = logins[person] or who.login
            owner.update(dict.fromkeys(keys, person))
            owner.setdefault(name, person)
    return [Person(logins[i] or names[i], logins[i]) for i in range(len(root)) if find(i) == i]
