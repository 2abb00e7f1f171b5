"""A real headless browser for the UI tests: Debian's `chromium`, driven by Playwright.

Playwright never downloads a browser here: it launches the system's Chromium by path. When
Chromium is missing and the tests run as root (CI), it is installed with apt-get; otherwise the
test fails, saying what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# screenshots the UI tests keep for a person to look at (git-ignored)
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"


def chromium_path() -> str:
    """The system Chromium's executable, installed with apt-get when missing and we are root."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("the browser tests need Debian's chromium: run `apt-get install -y chromium` as root")
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        done = subprocess.run(
            command, capture_output=True, text=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        )
        if done.returncode != 0:
            last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"`{' '.join(command)}` failed (exit {done.returncode}): {last[0]}")
    found = shutil.which("chromium")
    if not found:
        raise RuntimeError("apt-get installed chromium, but no `chromium` executable is on PATH")
    return found


def artifact_path(name: str) -> Path:
    """Where a test keeps a file (a screenshot) for people to look at after the run."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR / name
