"""The dependency bootstrap every action.yml runs first: real venv, real pip."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bootstrap" / "bootstrap.sh"
IMPORTS = (
    "import requests, actions_toolkit.core, ruamel.yaml, packaging.version, importlib.util as u;"
    "print(u.find_spec('github'), u.find_spec('_ruamel_yaml'), u.find_spec('pip'))"
)


def load_bootstrap() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bootstrap_under_test", ROOT / "bootstrap" / "bootstrap.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def imports_in(python: Path) -> str:
    check = subprocess.run([str(python), "-c", IMPORTS], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    return check.stdout.strip()


def bootstrap(
    runner_temp: Path, tmp_path: Path, path: str | None = None
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    output = tmp_path / "github_output"
    output.write_text("")
    env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output)}
    if path is not None:
        env["PATH"] = path
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env=env, check=False)
    values = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result, values


@pytest.mark.slow
def test_cold_then_warm(tmp_path):
    runner_temp = tmp_path / "rt"
    cold, values = bootstrap(runner_temp, tmp_path)
    assert cold.returncode == 0, cold.stdout + cold.stderr
    assert "created its Python environment" in cold.stdout
    python = Path(values["python"])
    assert python.is_file() and runner_temp in python.parents
    # Neither PyGithub (actions-toolkit's core does not need it) nor ruamel's C extension (an extra),
    # nor pip: the venv was built without it and the lock installed by the caller's pip.
    assert imports_in(python) == "None None None"

    warm, again = bootstrap(runner_temp, tmp_path)
    assert warm.returncode == 0 and "reused its Python environment" in warm.stdout
    assert again["python"] == values["python"]
    assert not list((runner_temp / "sovereign").glob("build-*")), "no half-built venv is left behind"


def test_old_python_is_a_clear_error(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    for name in ("python3", "python", "py"):
        script = fake / name
        script.write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 'Python 3.8.18'\nexit 1\n")
        script.chmod(0o755)
    result, values = bootstrap(tmp_path / "rt", tmp_path, path=f"{fake}:/usr/bin:/bin")
    assert result.returncode == 1
    assert result.stdout.startswith(
        "::error title=bootstrap::Sovereign needs Python 3.10 or newer (found: Python 3.8.18)"
    )
    assert "setup-python" in result.stdout
    assert values == {}


def test_second_stage_in_the_job_reuses_the_venv(action, repo):
    repo.commit("first")
    repo.tag("v1.0.0")
    first = action("sentinel", {"tag": "v1.0.0"}, workspace=repo.path)
    repo.commit("second")
    repo.tag("v1.0.1")
    second = action("sentinel", {"tag": "v1.0.1"}, workspace=repo.path)
    assert first.returncode == second.returncode == 0
    assert "reused its Python environment" in second.stdout


@pytest.mark.slow
def test_without_pip_here_the_venv_gets_its_own(tmp_path):
    bootstrap = load_bootstrap()
    target = tmp_path / "venv"
    bootstrap.build(target, outer_pip=False)  # ensurepip, then the venv's pip installs the lock
    found_github, _, found_pip = imports_in(bootstrap.venv_python(target)).split(" ", 2)
    assert found_github == "None" and found_pip != "None"
    assert (target / bootstrap.READY).is_file()


def test_the_install_commands(tmp_path, monkeypatch):
    bootstrap = load_bootstrap()
    monkeypatch.setattr(bootstrap, "mirror_configured", lambda: False)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(bootstrap.venv_python(venv))
    site = subprocess.run(
        [python, "-c", "import sys; print([p for p in sys.path if p.endswith('site-packages')][0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    hashed = ["--require-hashes", "--no-deps", "--only-binary=:all:", "-r"]
    by_url, through_index = bootstrap.install_commands(venv, outer_pip=True)
    assert by_url[:4] == through_index[:4] == [sys.executable, "-m", "pip", "install"]
    assert through_index[-7:] == [*hashed, str(bootstrap.LOCK), "--target", site], "this pip, into the venv"
    assert by_url[-12:] == [*hashed, str(bootstrap.URLS), *bootstrap.DIRECT, "--target", site]
    assert by_url[by_url.index("--no-index") :][:5] == ["--no-index", "--retries", "0", "--timeout", "10"]
    own = bootstrap.install_commands(venv, outer_pip=False)
    assert [c[:4] for c in own] == [[python, "-m", "pip", "install"]] * 2 and "--target" not in own[1]
    monkeypatch.setattr(bootstrap, "URLS", tmp_path / "missing.txt")
    assert bootstrap.install_commands(venv, outer_pip=True) == (None, through_index), "no URL file: the index"


def test_a_mirror_gets_the_index_install_only(tmp_path, monkeypatch):
    """The caller's index is policy: no direct download from files.pythonhosted.org then."""
    bootstrap = load_bootstrap()
    for name in ("PIP_INDEX_URL", "PIP_NO_INDEX", "PIP_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(bootstrap.Path, "home", lambda: tmp_path / "home")
    monkeypatch.setattr(bootstrap.sys, "prefix", str(tmp_path / "prefix"))
    config = tmp_path / "pip.conf"
    config.write_text("[global]\nextra-index-url = file:///opt/more\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    system = [p for p in (Path("/etc/xdg/pip/pip.conf"), Path("/etc/pip.conf")) if p.exists()]
    if not any("index-url" in p.read_text().replace("extra-index-url", "") for p in system):
        assert not bootstrap.mirror_configured(), "an extra index is not a mirror"
    config.write_text("[install]\nindex-url = https://mirror.example/simple\n")
    assert bootstrap.mirror_configured()
    config.write_text("")
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple")
    assert bootstrap.mirror_configured()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    by_url, through_index = bootstrap.install_commands(venv, outer_pip=True)
    assert by_url is None and str(bootstrap.LOCK) in through_index and "--no-index" not in through_index


@pytest.mark.slow
def test_an_unreachable_wheel_host_falls_back_to_the_index(tmp_path, monkeypatch, capsys):
    bootstrap = load_bootstrap()
    monkeypatch.setattr(bootstrap, "mirror_configured", lambda: False)
    urls = tmp_path / "runtime-urls.txt"  # the same pins, on a port where nothing listens
    urls.write_text(bootstrap.URLS.read_text().replace("https://files.pythonhosted.org", "http://127.0.0.1:9"))
    monkeypatch.setattr(bootstrap, "URLS", urls)
    assert bootstrap.urls_match_lock()
    python, created = bootstrap.ensure(tmp_path / "cache")
    assert created and imports_in(python) == "None None None"
    said = capsys.readouterr().out.splitlines()
    assert len(said) == 1 and said[0].startswith("Sovereign: installing by wheel URL failed (")
    assert said[0].endswith("; installing through the index")


@pytest.mark.slow
def test_a_failed_install_is_one_error_and_leaves_nothing(tmp_path, monkeypatch):
    bootstrap = load_bootstrap()
    lock = tmp_path / "runtime.txt"
    lock.write_text("idna==3.20 --hash=sha256:" + "0" * 64 + "\n")
    monkeypatch.setattr(bootstrap, "LOCK", lock)
    base = tmp_path / "cache"
    with pytest.raises(bootstrap.BootstrapError, match=r"installing Sovereign's dependencies failed: .* — check"):
        bootstrap.ensure(base)
    assert list(base.iterdir()) == [], "no venv, finished or half-built, is left behind"
