"""The grafana-snapshot action's entrypoint: ``python grafana-snapshot/main.py --help``."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from sovereign.entry import main  # after the sys.path line above

if __name__ == "__main__":
    sys.exit(main("grafana-snapshot"))
