"""Java for the Spark cluster: Debian's `openjdk-17-jre-headless`, installed with apt-get (as root)
when no `java` is found, as `make browser` installs Chromium. Otherwise it says exactly why not,
and the Spark tests skip with that reason."""

from __future__ import annotations

import os
import shutil
import sys

from orchestration import apt

PACKAGE = "openjdk-17-jre-headless"


def find() -> str | None:
    home = os.environ.get("JAVA_HOME", "").strip()
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    return shutil.which("java")


def ensure(install: bool = True) -> tuple[str | None, str]:
    """(path to java, '') when it is there or could be installed, else (None, why not)."""
    return apt.ensure(find, PACKAGE, "java", install=install)


def main() -> int:
    found, why = ensure()
    print(f"java: {found}" if found else f"java: unavailable, the Spark tests will skip: {why}")
    return 0  # the tests report the reason; a missing Java must not stop the rest of the suite


if __name__ == "__main__":
    sys.exit(main())
