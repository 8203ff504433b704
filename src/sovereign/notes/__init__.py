"""What changed in a release, shared by the changelog and the sentinel: the range
between two releases, its commits and pull requests (from git or the API), the
changes made of them and how each is classified (type, breaking, security, left out)."""
