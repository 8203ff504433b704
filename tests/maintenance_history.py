"""Release histories with maintenance branches, cherry-picks, backport bots and reverts (issue 13).

Shared by the changelog's and the sentinel's tests, which must name the same
previous release. Every commit text here is made up for the tests.
"""

from __future__ import annotations

from gitfactory import RepoBuilder

BOT = "backport-helper[bot] <backport-helper[bot]@users.noreply.github.com>"


def cherry_pick(repo: RepoBuilder, sha: str, trailer: bool = True, *extra: str) -> str:
    """``git cherry-pick [-x] sha`` on the current branch, with the builder's clock."""
    repo.git("cherry-pick", *(["-x"] if trailer else []), *extra, sha, env=repo._dates())
    return repo.head()


def revert(repo: RepoBuilder, sha: str) -> str:
    """``git revert sha``: git's own message, ``Revert "<subject>"`` and ``This reverts commit <sha>.``"""
    repo.git("revert", "--no-edit", sha, env=repo._dates())
    return repo.head()


def maintenance(repo: RepoBuilder) -> dict[str, str]:
    """main ``A─B─C─D`` tagged v9.1.0; branch 9.0.x from B with C cherry-picked, tagged v9.0.1.

    v9.0.1 is not an ancestor of v9.1.0, yet it is its previous release; C is
    already released in it.
    """
    shas = {"A": repo.commit("feat: first version", {"a.txt": "a"})}
    repo.tag("v9.0.0")
    shas["B"] = repo.commit("fix: handle empty files", {"b.txt": "b"})
    repo.branch("9.0.x")
    shas["C"] = repo.commit("fix: close the handle on error", {"c.txt": "c"})
    shas["D"] = repo.commit("feat: stream large files", {"d.txt": "d"})
    repo.checkout("9.0.x")
    shas["C'"] = cherry_pick(repo, shas["C"])
    repo.tag("v9.0.1")
    repo.checkout("main")
    repo.tag("v9.1.0")
    return shas
