"""The notify action's entrypoint: ``python notify/main.py --help``."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from sovereign.entry import main

if __name__ == "__main__":
    sys.exit(main("notify"))
