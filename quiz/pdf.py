"""HTML to PDF, behind one function (as indico's receipts do), below the domains:
certificates, reports, paths and sessions all print through it.

``html_to_pdf`` is the only way the platform turns HTML into a PDF. It uses
one module-level ``FontConfiguration`` for the whole process, parses each
distinct stylesheet once, and fetches resources through ``SafeFetcher``,
which allows ``data:`` URIs, our in-memory compact fonts and files under
the project's ``static/`` folder, and refuses everything else (external
``http(s)``, other ``file:`` paths, ``ftp:`` …) without touching the
network or the disk.

Pure: no Flask, no database, so the CLI and the benchmark use it as is.
"""
from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from quiz.fonts import SYSTEM_FALLBACK, compact_faces

STATIC_ROOT = (Path(__file__).resolve().parents[1] / "static").resolve()
STATIC_BASE_URL = STATIC_ROOT.as_uri() + "/"
FONT_SCHEME = "quiz-font"

#: one for the process: WeasyPrint keeps its fontconfig set-up and font caches here
FONT_CONFIG = FontConfiguration()
# WeasyPrint is not documented as thread-safe and the configuration is shared
_LOCK = threading.Lock()


class RefusedURL(ValueError):
    """A resource the certificate may not load (external, or a file outside static/)."""


class SafeFetcher(URLFetcher):
    """Allows ``data:``, ``quiz-font:<family>`` and ``file:`` under ``static/``; refuses the rest."""

    def __init__(self, static_root: Path = STATIC_ROOT) -> None:
        super().__init__(allowed_protocols=("data", "file", FONT_SCHEME))
        self.static_root = static_root

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == FONT_SCHEME:
            family = url.split(":", 1)[1]
            for face in compact_faces():
                if face.family == family:
                    return URLFetcherResponse(url, face.data, {"Content-Type": "font/otf"})
            raise RefusedURL(f"no such font: {url}")
        if scheme == "file":
            path = self._static_path(url)
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})
        raise RefusedURL(f"refused URL (only data: and the project's static files): {url[:200]}")

    def _static_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"refused file URL on another host: {url[:200]}")
        path = Path(os.path.realpath(url2pathname(unquote(parts.path))))
        if not path.is_relative_to(self.static_root) or not path.is_file():
            raise RefusedURL(f"refused file outside static/: {url[:200]}")
        return path


def _mime(path: Path) -> str:
    return {".css": "text/css", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
            ".svg": "image/svg+xml", ".otf": "font/otf", ".ttf": "font/ttf", ".woff2": "font/woff2",
            }.get(path.suffix.lower(), "application/octet-stream")


FETCHER = SafeFetcher()


def font_face_css() -> str:
    """``@font-face`` rules for the compact faces and the families that fall back to the system ones.

    ``var``-free on purpose: templates say ``font-family: QuizSans, …`` and
    get the compact face when it exists, the system face otherwise.
    """
    rules = [f'@font-face {{ font-family: {face.family}; font-weight: {face.weight}; '
             f'src: url({FONT_SCHEME}:{face.family}); }}' for face in compact_faces()]
    return "\n".join(rules)


@functools.lru_cache(maxsize=8)
def _stylesheet(css: str) -> CSS:
    """Parse a stylesheet once (with our fonts first) and reuse it for every PDF."""
    return CSS(string=font_face_css() + "\n" + css, base_url=STATIC_BASE_URL, url_fetcher=FETCHER,
               font_config=FONT_CONFIG)


def html_to_pdf(html: str, base_url: str | None = None, css: str = "") -> bytes:
    """Render ``html`` (one page or many) to PDF bytes.

    ``base_url`` resolves relative links; it defaults to the project's
    ``static/`` folder, the only place files are read from. ``css`` is an
    extra stylesheet, parsed once per distinct text and cached. Fonts are
    embedded and subset by WeasyPrint.
    """
    with _LOCK:
        document = HTML(string=html, base_url=base_url or STATIC_BASE_URL, url_fetcher=FETCHER)
        return document.write_pdf(stylesheets=[_stylesheet(css)], font_config=FONT_CONFIG)
