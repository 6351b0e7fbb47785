"""Where a ``next`` taken from the request may send people: a path of this app, nothing else.

Browsers are lenient with what they follow: they drop tabs and newlines
anywhere in a URL, strip leading control characters and spaces, and read a
backslash as a slash. ``/\\t/evil.example/`` is therefore ``//evil.example/``,
a link to another site. ``local_path`` does what the browser will do first,
then accepts only a path with no scheme and no host.
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit


def _without_controls(target: str) -> str:
    return "".join(ch for ch in target if ord(ch) >= 0x20 and ord(ch) != 0x7F)


def local_path(target: str | None) -> str | None:
    """``target`` cleaned of control characters if it is a path of this site, else None."""
    if not target:
        return None
    cleaned = _without_controls(target).strip()
    # checked as given and once percent-decoded: a proxy or a later redirect may decode it
    for form in (cleaned, _without_controls(unquote(cleaned)).strip()):
        as_browser_reads = form.replace("\\", "/")
        if not as_browser_reads.startswith("/") or as_browser_reads.startswith("//"):
            return None
        try:
            parts = urlsplit(as_browser_reads)
        except ValueError:
            return None
        if parts.scheme or parts.netloc:
            return None
    return cleaned


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path of this site, else ``default``."""
    return local_path(target) or default
