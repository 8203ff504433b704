"""The ritual action's entrypoint (root action.yml): ``python main.py --help``."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "src"))

from sovereign.entry import main

if __name__ == "__main__":
    sys.exit(main("ritual"))
