"""The report in a real browser: headless Chromium renders it, offline, without console errors.

Needs ``/usr/bin/chromium`` and Korean fonts (``scripts/install_browser.sh``); skipped otherwise.
Set ``REPORT_SCREENSHOT`` to a path to keep the screenshot for a look.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = Path("/usr/bin/chromium")
WINDOW = (1280, 2400)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (run scripts/install_browser.sh)"),
]


def _chromium(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    args = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        *extra,
        url,
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


def read_png(path: Path) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) into an ``(h, w, channels)`` array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + size]
        pos += 12 + size
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
        elif kind == b"IDAT":
            idat.append(body)
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    image = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw, np.uint8, stride, start + 1).astype(np.int64)
        if kind == 1:  # Sub: a running sum per channel
            line = np.cumsum(line.reshape(width, bpp), axis=0).reshape(-1) & 255
        elif kind == 2:  # Up
            line = (line + prev) & 255
        elif kind in (3, 4):  # Average, Paeth: sequential along the row
            cur, up = line.tolist(), prev.tolist()
            for x in range(stride):
                a = cur[x - bpp] if x >= bpp else 0
                b = up[x]
                if kind == 3:
                    cur[x] = (cur[x] + ((a + b) >> 1)) & 255
                else:
                    c = up[x - bpp] if x >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    cur[x] = (cur[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            line = np.array(cur, dtype=np.int64)
        image[y] = line
        prev = line
    return image.reshape(height, width, bpp)[..., :3]


def _near(image: np.ndarray, rgb: tuple[int, int, int], tol: int = 12) -> int:
    return int((np.abs(image.astype(int) - np.array(rgb)).max(axis=2) <= tol).sum())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, _frames):
    from nlp.report import write_report

    tmp = tmp_path_factory.mktemp("browser")
    from conftest import make_aspects

    scored, doc_topics, topics = (f.copy() for f in _frames)
    aspects = make_aspects(scored, doc_topics)
    html = write_report(tmp / "report.html", scored, (doc_topics, topics), aspects=aspects, model="test-sentiment v0")
    shot = tmp / "report.png"
    proc = _chromium(tmp, html.resolve().as_uri(), f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}")
    if os.environ.get("REPORT_SCREENSHOT") and shot.exists():
        shutil.copy(shot, os.environ["REPORT_SCREENSHOT"])
    return html, shot, proc


def test_screenshot_is_not_blank(rendered):
    _, shot, proc = rendered
    assert shot.exists(), proc.stderr[-2000:]
    image = read_png(shot)
    assert image.shape == (WINDOW[1], WINDOW[0], 3)
    ink = (image.min(axis=2) < 230).mean()
    assert ink > 0.05, f"only {ink:.1%} of the page is drawn"
    # the inline SVG charts and bars are drawn: both sentiment colours show up in quantity
    assert _near(image, (0xD1, 0x49, 0x5B)) > 2000  # negative
    assert _near(image, (0x2A, 0x9D, 0x8F)) > 2000  # positive
    # Korean text renders as glyphs (dark pixels all down the page), not as missing-glyph boxes only
    body = image[200:, 100:1180]
    rows_with_text = (body.min(axis=(1, 2)) < 100).mean()
    assert rows_with_text > 0.2


def test_no_console_errors(rendered):
    """No script error and no Content-Security-Policy violation (a wrong hash would block the style or the script)."""
    _, _, proc = rendered
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert not console, console


def test_dom_has_the_report(rendered, tmp_path):
    html, _, _ = rendered
    proc = _chromium(tmp_path, html.resolve().as_uri(), "--dump-dom")
    dom = proc.stdout
    for heading in ("요약", "제품 × 측면", "제품별 강점·불만", "높은 평점, 그러나 불만", "감성 추이", "토픽 상세", "급증 알림", "제품 비교"):
        assert heading in dom, heading
    assert dom.count("<svg") >= 5
    assert len(re.findall(r"<script", dom, flags=re.I)) == 1  # the page's own, allowed by its hash
    assert not re.search(r"<script[^>]*\bsrc=", dom, flags=re.I)
    assert "&lt;script&gt;" in dom  # the malicious review stays text
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
