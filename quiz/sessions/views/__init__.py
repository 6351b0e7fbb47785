"""HTTP for sessions and records, grouped by audience: ``worker`` (sign-in
on the phone, upcoming sessions, own record), ``trainer`` (sessions, the
sign-in screen, marks, sheets, exports), ``records`` (heads' and admins'
records, hours and chase lists). One blueprint, ``sessions``."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response

bp = Blueprint("sessions", __name__)


def download(data: bytes, filename: str, mimetype: str, inline: bool = False) -> Response:
    ascii_name = "".join(c if c.isascii() and c.isalnum() or c in ".-_" else "_" for c in filename)
    response = Response(data, mimetype=mimetype)
    kind = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response

