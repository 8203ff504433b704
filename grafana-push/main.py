"""The grafana-push action's entrypoint: ``python grafana-push/main.py --help``."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from sovereign.entry import main

if __name__ == "__main__":
    sys.exit(main("grafana-push"))
