"""Headless Chromium for the browser tests of the docs site and the Elementary report.

Debian's `chromium` package is used (never a browser downloaded by Playwright: that needs the
internet). `python -m orchestration.quality.browser` (make browser, before make test) installs it
with apt-get when it is missing and apt is usable as root; otherwise it says exactly why not, and
the browser tests skip with that reason.
"""

from __future__ import annotations

import shutil
import sys
import tempfile

from orchestration import apt

CANDIDATES = ("chromium", "chromium-browser")
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
    return apt.ensure(find, "chromium", "chromium", install=install)


def fresh_profile() -> str:
    """A new user-data-dir per browser: no state from an earlier run."""
    return tempfile.mkdtemp(prefix="chromium-profile-")


def main() -> int:
    found, why = ensure()
    print(f"chromium: {found}" if found else f"chromium: unavailable, the browser tests will skip: {why}")
    return 0  # the tests report the reason; a missing browser must not stop the rest of the suite


if __name__ == "__main__":
    sys.exit(main())
