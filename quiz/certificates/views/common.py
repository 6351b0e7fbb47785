"""What the certificate pages share: the blueprint and the PDF response with a file name every browser keeps."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, Response

bp = Blueprint("certificates", __name__)


def pdf_response(data: bytes, filename: str, download: bool) -> Response:
    kind = "attachment" if download else "inline"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = disposition(kind, filename)
    return response


def ascii_file_name(filename: str) -> str:
    """The name for browsers that ignore ``filename*`` (RFC 5987): Chinese in
    pinyin, one capital per syllable (``000101-王五.pdf`` → ``000101-WangWu.pdf``),
    anything else outside ASCII letters, digits and ``.-_()`` as ``_``."""
    from pypinyin import lazy_pinyin

    parts = lazy_pinyin(filename, errors=lambda chunk: ["\0" + chunk])
    text = "".join(p[1:] if p.startswith("\0") else p.capitalize() for p in parts)
    safe = "".join(c if c.isascii() and (c.isalnum() or c in ".-_()") else "_" for c in text)
    return re.sub(r"_{2,}", "_", safe)


def disposition(kind: str, filename: str) -> str:
    return f"{kind}; filename=\"{ascii_file_name(filename)}\"; filename*=UTF-8''{quote(filename)}"
