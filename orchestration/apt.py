"""Installing a Debian package with apt-get when a tool the tests need is missing (Chromium for
the browser tests, Java for Spark): as root only, never downloading anything else."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

APT_TIMEOUT_SECONDS = 900


def install_package(package: str, missing: str) -> str:
    """apt-get install `package`; '' when it went through, else why not (`missing` names what was
    not found, and how to get it without apt-get)."""
    if not shutil.which("apt-get"):
        return f"{missing} is not installed and there is no apt-get to install it"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return f"{missing} is not installed; as a non-root user run `sudo apt-get install -y {package}`"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
        try:
            result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return f"`{' '.join(cmd)}` timed out after {APT_TIMEOUT_SECONDS}s"
        if result.returncode != 0:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            return f"`{' '.join(cmd)}` failed (exit {result.returncode}): {last[0]}"
    return ""


def ensure(find: Callable[[], str | None], package: str, name: str, install: bool = True) -> tuple[str | None, str]:
    """(path to the `name` executable `find` finds, '') when it is there or `package` could be
    installed, else (None, why not)."""
    found = find()
    if found or not install:
        return found, "" if found else f"{name} is not installed"
    why = install_package(package, name)
    if why:
        return None, why
    found = find()
    return (found, "") if found else (None, f"apt-get installed {package} but no {name} executable was found")
