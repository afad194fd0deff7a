"""Take the README's screenshots: the home page and the seat-allocation view, at desktop and phone width.

    .venv/bin/python scripts/screenshots.py            # serves releases/latest (./dev serve builds one)
    .venv/bin/python scripts/screenshots.py --port 8123

It starts ``ser-kg serve`` on a loopback port, waits for ``/-/health``, opens each page in Debian's
Chromium (``/usr/bin/chromium``, driven by Playwright; Playwright's own browser download is not used),
writes ``docs/screenshots/<name>.png`` and stops the server. Only maintainers run it, when the pages'
look changes; the images are committed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
SHOTS = [  # file name, path, viewport width, full page
    ("home", "/?lang=nl", 1280, False),
    ("seats", "/views/seats?lang=en", 1280, False),
    ("home-phone", "/?lang=nl", 390, False),
]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # the server just started, on loopback
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: the server did not answer {url} within {seconds:.0f} s")
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8123, help="loopback port for the server (default 8123)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([str(Path(sys.executable).parent / "ser-kg"), "serve", "--port", str(args.port)],
                              cwd=ROOT)
    try:
        wait_for(base + "/-/health", 300)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-background-networking"])
            for name, path, width, full in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": 900 if width > 600 else 844})
                page.goto(base + path)
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
                page.close()
                print(f"screenshots: {OUT / name}.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
