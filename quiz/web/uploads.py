"""Uploads kept between a preview and its confirmation."""
from __future__ import annotations

import time
from pathlib import Path


def sweep(folder: Path, max_age_seconds: int) -> None:
    """Delete files in ``folder`` older than ``max_age_seconds`` (abandoned previews)."""
    cutoff = time.time() - max_age_seconds
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass
