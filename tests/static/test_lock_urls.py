"""requirements/runtime-urls.txt lists exactly the lock's wheels, so they cannot drift apart."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "lock_urls.py"


def load_bootstrap() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bootstrap_for_urls", ROOT / "bootstrap" / "bootstrap.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_url_file_lists_exactly_the_lock():
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    boot = load_bootstrap()
    lock = boot.pins(boot.LOCK.read_text(encoding="utf-8"))
    assert len(lock) == len(boot.LOCK.read_text(encoding="utf-8").split("--hash=")) - 1, "every pin is parsed"
    assert boot.pins(boot.URLS.read_text(encoding="utf-8")) == lock
    assert boot.urls_match_lock()


URLS = (ROOT / "requirements" / "runtime-urls.txt").read_text(encoding="utf-8")
DIGEST = "ab7ae7122974553370f0bdb919e1a960b2cd1bc1ef0276416d896db81c14582c"  # idna's, in the lock


@pytest.mark.parametrize(
    "drifted",
    [
        URLS.replace(DIGEST, "0" * 64),  # another hash
        URLS.replace("idna-3.20-py3", "idna-3.21-py3"),  # another version
        URLS.replace(' ; python_version < "3.11"', ""),  # a marker lost
        "\n".join(line for line in URLS.splitlines() if "certifi" not in line),  # a pin left out
        URLS + "six @ https://files.pythonhosted.org/packages/x/six-1.0-py3-none-any.whl --hash=sha256:" + "1" * 64,
    ],
    ids=["hash", "version", "marker", "missing", "extra"],
)
def test_a_drifted_url_file_is_caught_and_not_used(drifted, tmp_path, monkeypatch):
    boot = load_bootstrap()
    urls = tmp_path / "runtime-urls.txt"
    urls.write_text(drifted, encoding="utf-8")
    monkeypatch.setattr(boot, "URLS", urls)
    assert not boot.urls_match_lock()
    script = importlib.util.spec_from_file_location("lock_urls_under_test", SCRIPT)
    assert script is not None and script.loader is not None
    module = importlib.util.module_from_spec(script)
    script.loader.exec_module(module)
    assert module.problems(boot) == ["it does not list exactly the lock's names, versions, markers and hashes"]
