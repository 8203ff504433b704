"""The demo's preview page in a real browser: headless Chromium renders it, the
screenshot is not blank, and the page loads nothing from anywhere.

Skipped, saying why, where Chromium is not installed (.ci/run installs Debian's).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from preview_static import links, problems

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "grafana"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=1",
)


@pytest.fixture(scope="module")
def browser() -> str:
    found = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if not found:
        pytest.skip("Chromium is not installed (Debian package chromium): .ci/run installs it")
    return found


def sample_repository(path: Path) -> Path:
    """The demo's own sample repository (tasks.py builds it)."""
    spec = importlib.util.spec_from_file_location("sovereign_tasks", ROOT / "tasks.py")
    assert spec and spec.loader
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    return tasks.sample_repository(path)  # type: ignore[no-any-return]


@pytest.fixture
def demo_preview(action, tmp_path: Path) -> Path:
    """The demo's ritual in dry-run, with a snapshot record from the recorded dashboard
    (the demo's Grafana stand-in answers with the same) so every section has content."""
    sample = sample_repository(tmp_path / "sample")
    snapshot = {
        "schema": "sovereign.grafana-snapshot/v1",
        "dry_run": True,
        "time": {"from": "2026-05-22T06:00:00Z", "to": "2026-05-22T12:00:00Z"},
        "panels": [],
        "request": json.loads((FIXTURES / "expected-snapshot-release-overview.json").read_text(encoding="utf-8")),
        "response": None,
    }
    (sample / "sovereign-artifacts").mkdir()
    (sample / "sovereign-artifacts" / "grafana-snapshot-v1.1.0.json").write_text(json.dumps(snapshot))
    result = action(".", {"tag": "v1.1.0", "dry-run": "true"}, workspace=sample)
    assert result.returncode == 0, result.log
    page = sample / "sovereign-artifacts" / "preview-v1.1.0.html"
    assert page.is_file(), result.log
    return page


def run_browser(browser: str, page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def outside_loads(log: str, page: Path) -> list[str]:
    """What Chromium's verbose log shows the page loading (or trying to) besides itself."""
    files = [url for url in re.findall(r"FileURLLoader::Start: (\S+)", log) if url != page.as_uri()]
    refused = [line for line in log.splitlines() if "violates the following Content Security Policy" in line]
    return files + refused


def png_rows(data: bytes, limit: int) -> tuple[int, int, list[bytes]]:
    """Width, height and the first ``limit`` unfiltered rows of an 8-bit PNG, decoded with zlib alone."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format: depth {depth}, colour type {colour}"
    step = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * step
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(min(height, limit)):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                corner = previous[i - step] if i >= step else 0
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def test_the_demo_preview_renders_in_chromium(browser, demo_preview, tmp_path):
    shot = tmp_path / "preview.png"
    run = run_browser(browser, demo_preview, tmp_path, f"--screenshot={shot}", "--window-size=1200,3000")
    assert shot.is_file(), run.stderr[-2000:]
    width, height, rows = png_rows(shot.read_bytes(), limit=500)
    assert (width, height) == (1200, 3000)
    step = len(rows[0]) // width
    colours = {row[i : i + step] for row in rows for i in range(0, len(row), step * 7)}
    assert len(colours) > 20, f"the screenshot is blank or nearly: {len(colours)} colour(s)"
    assert not outside_loads(run.stderr, demo_preview)


def test_the_demo_preview_loads_nothing_from_outside(browser, demo_preview, tmp_path):
    html = demo_preview.read_text(encoding="utf-8")
    assert not problems(html), problems(html)
    run = run_browser(browser, demo_preview, tmp_path, "--dump-dom")
    dom = run.stdout
    assert "Sentinel checks" in dom and "rename --out to --output" in dom, run.stderr[-2000:]
    assert dom.count('<svg class="spark"') >= 2, "the time-series panels have their sparklines"
    assert not problems(dom), problems(dom)
    shown = links(dom)
    assert any("/commit/" in link for link in shown), "commit links are links"
    assert all(link.startswith(("https://", "#")) for link in shown), shown
    assert not outside_loads(run.stderr, demo_preview)


def test_the_load_check_sees_a_page_that_loads_something(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        '<img src="https://example.invalid/x.png"><iframe src="other.html"></iframe>',
        encoding="utf-8",
    )
    (tmp_path / "other.html").write_text("x", encoding="utf-8")
    run = run_browser(browser, page, tmp_path, "--dump-dom")
    assert len(outside_loads(run.stderr, page)) >= 2, run.stderr[-3000:]
    assert problems(page.read_text()), "the static check sees them too"
