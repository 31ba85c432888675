"""Headless Chromium for the browser tests of the docs site and the Elementary report.

Debian's `chromium` package is used (never a browser downloaded by Playwright: that needs the
internet). `python -m orchestration.quality.browser` (make browser, before make test) installs it
with apt-get when it is missing and apt is usable as root; otherwise it says exactly why not, and
the browser tests skip with that reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

CANDIDATES = ("chromium", "chromium-browser")
APT_TIMEOUT_SECONDS = 900
# what works on a closed network: without the background-networking flags Chromium stalls
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


def find() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def ensure(install: bool = True) -> tuple[str | None, str]:
    """(path to chromium, '') when it is there or could be installed, else (None, why not)."""
    found = find()
    if found or not install:
        return found, "" if found else "chromium is not installed"
    if not shutil.which("apt-get"):
        return None, "chromium is not installed and there is no apt-get to install it (install Chromium, " \
                     "then run the tests again)"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return None, "chromium is not installed; as a non-root user run `sudo apt-get install -y chromium`"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        try:
            result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return None, f"`{' '.join(cmd)}` timed out after {APT_TIMEOUT_SECONDS}s"
        if result.returncode != 0:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"`{' '.join(cmd)}` failed (exit {result.returncode}): {last[0]}"
    found = find()
    return (found, "") if found else (None, "apt-get installed chromium but no chromium executable was found")


def fresh_profile() -> str:
    """A new user-data-dir per browser: no state from an earlier run."""
    return tempfile.mkdtemp(prefix="chromium-profile-")


def main() -> int:
    found, why = ensure()
    print(f"chromium: {found}" if found else f"chromium: unavailable, the browser tests will skip: {why}")
    return 0  # the tests report the reason; a missing browser must not stop the rest of the suite


if __name__ == "__main__":
    sys.exit(main())
