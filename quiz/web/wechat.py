"""Inside WeChat's built-in browser: downloads that say what to do instead of failing silently.

WeChat's browser (its user agent carries ``MicroMessenger``) does not download
files on Android and shows PDFs poorly. One place decides what happens to
every download there:

- ``download_href(url)``, a template global, turns a download link into a
  link to the guide page when the page is seen inside WeChat (so the file is
  not even built), and leaves it alone everywhere else;
- ``guard_download``, an ``after_request`` hook, replaces any file response
  (an attachment, a PDF, a spreadsheet, a zip) that still reaches WeChat —
  a link typed, bookmarked or forwarded — with the same guide.

The guide says: tap ··· at the top right, choose 在浏览器打开, then download;
and gives the full link to copy. Outside WeChat nothing changes.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Flask, Response, render_template, request, url_for

from quiz.auth.redirects import local_path
from quiz.browser import is_wechat

FILE_TYPES = {
    "application/pdf", "application/zip", "application/octet-stream", "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel", "application/xml",
}


def excerpt(text: str | None, length: int = 80) -> str:
    """Plain text for a shared link's description: Markdown marks dropped, spaces folded, cut."""
    text = re.sub(r"[#*_>`|~\[\]()!-]+", " ", text or "")
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def download_href(url: str) -> str:
    """The href for a download link: the guide inside WeChat, the file elsewhere."""
    if is_wechat():
        return url_for("web.download_guide", to=url)
    return url


def _is_file(response: Response) -> bool:
    disposition = response.headers.get("Content-Disposition", "")
    return "attachment" in disposition.lower() or response.mimetype in FILE_TYPES


def guide_response(target: str, status: int = 200) -> Response:
    absolute = request.host_url.rstrip("/") + target
    html = render_template("web/download_guide.html", link=absolute)
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask, bp) -> None:
    """The guide page on the ``web`` blueprint, the template global and the response hook."""
    app.jinja_env.globals["download_href"] = download_href
    app.jinja_env.globals["is_wechat"] = is_wechat
    app.jinja_env.filters["excerpt"] = excerpt

    @bp.get("/download")
    def download_guide():
        target = local_path(request.args.get("to")) or "/"
        return guide_response(target)

    @app.after_request
    def guard_download(response: Response) -> Response:
        if request.endpoint in (None, "static") or not is_wechat() or not _is_file(response):
            return response
        if response.status_code != 200:
            return response
        target = request.full_path if request.query_string else request.path
        response.close()
        return guide_response(quote(target, safe="/?=&%:+,;@"))
