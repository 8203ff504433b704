"""sentinel: the release gate — tag format, newer than every release, built commit,
branch, version files, required checks, signature, not already released."""
