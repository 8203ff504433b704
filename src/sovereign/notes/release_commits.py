"""Commits that make a release rather than change anything: left out of the notes, with a reason.

``chore(release): 1.2.0``, ``chore: release v7.6.0``, ``Release 1.2.0``,
``release version 3.1.0``, ``Prepare release version 9.0.3``, ``Bump version
to 1.2.0``, ``start version 3.1.1``, ``Bump for release``, ``Bump for
development``, a bare ``v2.34.0.dev1``. The whole title must be one of these
(after any ``[9.0.x]`` branch prefixes and ``(#12)`` numbers), so a change that
merely mentions a release ("Release notes: fix a link") is kept.
"""

from __future__ import annotations

import re

_VERSION = r"v?\d+(?:\.\d+)+[0-9A-Za-z.+-]*"
RELEASE_COMMIT = re.compile(
    r"^(?:\[[^\]]*\]\s*)*(?:"
    r"chore\(release\)!?:.*"  # semantic-release, lerna: anything after it
    rf"|(?:chore|build|release)(?:\([^)]*\))?!?:\s*(?:release\s+)?(?:version\s+)?{_VERSION}"
    rf"|release\s+(?:version\s+)?{_VERSION}"
    rf"|prepar(?:e|ing)\s+(?:for\s+)?(?:the\s+)?(?:next\s+)?release(?:\s+(?:version\s+)?{_VERSION})?"
    rf"|(?:start|begin)\s+(?:version\s+)?{_VERSION}(?:\s+dev(?:elopment)?)?"
    rf"|(?:bump|set|update)\s+(?:the\s+)?version(?:\s+(?:number\s+)?(?:to\s+)?{_VERSION})?"
    r"|bump\s+for\s+(?:release|development)"
    r"|back\s+to\s+development"
    rf"|{_VERSION}"
    r")(?:\s*\(#\d+\))*\s*$",
    re.I,
)
