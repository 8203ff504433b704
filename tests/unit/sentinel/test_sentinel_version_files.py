"""Version files: each format parsed for real, PEP 440 normalisation understood."""

from __future__ import annotations

import pytest

from sovereign import semver
from sovereign.sentinel.version_files import VersionFileError, pep440_key, read_version, same_version


def v(text: str) -> semver.Version:
    parsed = semver.parse(text)
    assert parsed is not None
    return parsed


@pytest.mark.parametrize(
    ("found", "tag_version"),
    [
        ("1.2.3", "1.2.3"),
        ("v1.2.3", "1.2.3"),
        ("1.2.3rc1", "1.2.3-rc.1"),
        ("1.2.3-rc.1", "1.2.3-rc.1"),
        ("1.2.3.RC1", "1.2.3-rc.1"),
        ("1.2.3c1", "1.2.3-rc.1"),
        ("1.2.3a1", "1.2.3-alpha.1"),
        ("1.2.3b2", "1.2.3-beta.2"),
        ("1.2.3b0", "1.2.3-beta"),
        ("1.2", "1.2.0"),
        ("1.2.3-foo.bar", "1.2.3-foo.bar"),  # not PEP 440: compared as semver
        (" 1.2.3\n", "1.2.3"),
    ],
)
def test_equal_versions(found, tag_version):
    assert same_version(found, v(tag_version))


@pytest.mark.parametrize(
    ("found", "tag_version"),
    [
        ("1.2.4", "1.2.3"),
        ("1.2.3rc2", "1.2.3-rc.1"),
        ("1.2.3", "1.2.3-rc.1"),
        ("1.2.3rc1", "1.2.3"),
        ("1.2.3.dev1", "1.2.3"),
        ("1.2.3.post1", "1.2.3"),
        ("1.2.3-foo.bar", "1.2.3-foo.baz"),
        ("one.two", "1.2.3"),
    ],
)
def test_different_versions(found, tag_version):
    assert not same_version(found, v(tag_version))


def test_pep440_key_rejects_garbage():
    assert pep440_key("1.2.3 and more") is None
    assert pep440_key("1!2.0.post3.dev4+Local_7") == (1, (2,), None, 3, 4, "local.7")


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_pyproject_project_version(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\nversion = "1.2.3rc1"\n[tool.poetry]\nversion = "0.0.1"\n')
    found = read_version(tmp_path, "pyproject.toml")
    assert (found.version, found.where) == ("1.2.3rc1", "[project].version")


def test_pyproject_poetry_version(tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.poetry]\nname = "x"\nversion = "2.0.0"\n')
    assert read_version(tmp_path, "pyproject.toml").where == "[tool.poetry].version"


def test_pyproject_dynamic_version_has_no_version_and_says_why(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\ndynamic = ["version"]\n')
    found = read_version(tmp_path, "pyproject.toml")
    assert found.version is None
    assert "dynamic" in found.dynamic


def test_pyproject_without_version_and_bad_toml(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(VersionFileError, match="neither"):
        read_version(tmp_path, "pyproject.toml")
    write(tmp_path, "pyproject.toml", "[project\nversion = 1")
    with pytest.raises(VersionFileError, match="not valid TOML"):
        read_version(tmp_path, "pyproject.toml")


def test_a_grep_would_be_fooled_a_parser_is_not(tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.other]\nversion = "9.9.9"\n[project]\nversion = "1.0.0"\n')
    assert read_version(tmp_path, "pyproject.toml").version == "1.0.0"


def test_package_json(tmp_path):
    write(tmp_path, "web/package.json", '{"name": "x", "dependencies": {"version": "9"}, "version": "1.2.3-rc.1"}')
    assert read_version(tmp_path, "web/package.json").version == "1.2.3-rc.1"
    write(tmp_path, "package.json", '{"name": "x"}')
    with pytest.raises(VersionFileError, match="no top-level"):
        read_version(tmp_path, "package.json")
    write(tmp_path, "package.json", "{oops")
    with pytest.raises(VersionFileError, match="not valid JSON"):
        read_version(tmp_path, "package.json")


def test_cargo_package_version(tmp_path):
    write(tmp_path, "Cargo.toml", '[package]\nname = "x"\nversion = "0.4.1"\n')
    assert read_version(tmp_path, "Cargo.toml").version == "0.4.1"


def test_cargo_workspace_inheritance(tmp_path):
    write(tmp_path, "Cargo.toml", '[workspace]\nmembers = ["crates/*"]\n[workspace.package]\nversion = "3.1.0"\n')
    write(tmp_path, "crates/core/Cargo.toml", '[package]\nname = "core"\nversion.workspace = true\n')
    found = read_version(tmp_path, "crates/core/Cargo.toml")
    assert found.version == "3.1.0"
    assert found.where == "[workspace.package].version of Cargo.toml"
    assert read_version(tmp_path, "Cargo.toml").version == "3.1.0"  # the virtual root itself


def test_cargo_workspace_inheritance_without_root_version(tmp_path):
    write(tmp_path, "Cargo.toml", '[workspace]\nmembers = ["crates/*"]\n')
    write(tmp_path, "crates/core/Cargo.toml", '[package]\nname = "core"\nversion = { workspace = true }\n')
    with pytest.raises(VersionFileError, match=r"\[workspace.package\].version of Cargo.toml is not set"):
        read_version(tmp_path, "crates/core/Cargo.toml")


def test_cargo_workspace_inheritance_without_root(tmp_path):
    write(tmp_path, "crates/core/Cargo.toml", '[package]\nname = "core"\nversion.workspace = true\n')
    with pytest.raises(VersionFileError, match="no workspace root"):
        read_version(tmp_path, "crates/core/Cargo.toml")


def test_setup_cfg(tmp_path):
    write(tmp_path, "setup.cfg", "[metadata]\nname = x\nversion = 1.2.3\ndescription = 100% real\n")
    assert read_version(tmp_path, "setup.cfg").version == "1.2.3"


def test_setup_cfg_attr_is_dynamic_and_file_is_followed(tmp_path):
    write(tmp_path, "setup.cfg", "[metadata]\nversion = attr: pkg.__version__\n")
    assert read_version(tmp_path, "setup.cfg").dynamic.startswith("the version is dynamic")
    write(tmp_path, "setup.cfg", "[metadata]\nversion = file: src/VERSION\n")
    write(tmp_path, "src/VERSION", "4.5.6\n")
    assert read_version(tmp_path, "setup.cfg").version == "4.5.6"


def test_setup_cfg_without_version(tmp_path):
    write(tmp_path, "setup.cfg", "[metadata]\nname = x\n")
    with pytest.raises(VersionFileError, match=r"no \[metadata\] version"):
        read_version(tmp_path, "setup.cfg")


def test_plain_version_file(tmp_path):
    write(tmp_path, "VERSION", "\n1.2.3\n\n")
    assert read_version(tmp_path, "VERSION").version == "1.2.3"
    write(tmp_path, "VERSION", "1.2.3\n1.2.4\n")
    with pytest.raises(VersionFileError, match="exactly one"):
        read_version(tmp_path, "VERSION")


@pytest.mark.parametrize("name", ["missing.txt", "../outside", "/etc/hostname", "-rf", ""])
def test_missing_or_outside_files_are_refused(tmp_path, name):
    (tmp_path / "ws").mkdir()
    (tmp_path / "outside").write_text("1.2.3")
    with pytest.raises(VersionFileError):
        read_version(tmp_path / "ws", name)


def test_poetry_dynamic_versioning_is_dynamic_not_its_placeholder(tmp_path):
    write(
        tmp_path,
        "pyproject.toml",
        '[tool.poetry]\nversion = "0.0.0"\n[tool.poetry-dynamic-versioning]\nenabled = true\n',
    )
    found = read_version(tmp_path, "pyproject.toml")
    assert found.version is None, "0.0.0 is a placeholder, not the version"
    assert "poetry-dynamic-versioning" in found.dynamic
