"""Java for the Spark cluster: Debian's `openjdk-17-jre-headless`, installed with apt-get (as root)
when no `java` is found, as `make browser` installs Chromium. Otherwise it says exactly why not,
and the Spark tests skip with that reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

PACKAGE = "openjdk-17-jre-headless"
APT_TIMEOUT_SECONDS = 900


def find() -> str | None:
    home = os.environ.get("JAVA_HOME", "").strip()
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    return shutil.which("java")


def ensure(install: bool = True) -> tuple[str | None, str]:
    """(path to java, '') when it is there or could be installed, else (None, why not)."""
    found = find()
    if found or not install:
        return found, "" if found else "java is not installed"
    if not shutil.which("apt-get"):
        return None, f"java is not installed and there is no apt-get to install it (install {PACKAGE} or any Java 17)"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return None, f"java is not installed; as a non-root user run `sudo apt-get install -y {PACKAGE}`"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", PACKAGE]):
        try:
            result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return None, f"`{' '.join(cmd)}` timed out after {APT_TIMEOUT_SECONDS}s"
        if result.returncode != 0:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"`{' '.join(cmd)}` failed (exit {result.returncode}): {last[0]}"
    found = find()
    return (found, "") if found else (None, f"apt-get installed {PACKAGE} but no java executable was found")


def main() -> int:
    found, why = ensure()
    print(f"java: {found}" if found else f"java: unavailable, the Spark tests will skip: {why}")
    return 0  # the tests report the reason; a missing Java must not stop the rest of the suite


if __name__ == "__main__":
    sys.exit(main())
