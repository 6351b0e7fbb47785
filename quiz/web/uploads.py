"""Uploads kept between a preview and its confirmation.

They hold people's names, 工号 and question banks: folders are 0700 and files
0600, whatever the process's umask, so other accounts on the server can't
read them.
"""
from __future__ import annotations

import os
import time
from pathlib import Path


def private_dir(path: Path | str) -> Path:
    """``path`` created (with its parents) and readable by this account only."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def write_private(path: Path | str, data: bytes) -> None:
    """Write ``data`` to a file only this account can read (0600 from the start)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def sweep(folder: Path, max_age_seconds: int) -> None:
    """Delete files in ``folder`` older than ``max_age_seconds`` (abandoned previews)."""
    cutoff = time.time() - max_age_seconds
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass
