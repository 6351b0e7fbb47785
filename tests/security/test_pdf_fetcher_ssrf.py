"""SSRF and local-file reads through the PDF renderer (certificates, reports, lesson sheets).

``html_to_pdf`` fetches only data: URIs, the bundled fonts and files under
static/. file://, http(s)://, ftp:// and ``..`` escapes out of static/ are
refused without a network or disk read, whatever the HTML says.
"""
from __future__ import annotations

import socket

import pytest
from pypdf import PdfReader

from quiz.pdf import html_to_pdf

ATTEMPTS = [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="file:///etc/passwd">',
    '<img src="http://127.0.0.1:9/x.png">',
    '<img src="https://example.com/x.png">',
    '<style>@import url("http://127.0.0.1:9/x.css");</style>',
    '<div style="background: url(ftp://example.com/x)">x</div>',
    '<img src="/static/../quiz/config.py">',
    '<object data="file:///etc/shadow"></object>',
    '<iframe src="file:///etc/passwd"></iframe>',
]


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the PDF renderer opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize("html", ATTEMPTS)
def test_renderer_fetches_nothing_outside_static(app, html, no_network):
    with app.app_context():
        pdf = html_to_pdf(f"<p>证书</p>{html}")
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "root:" not in text and "SECRET_KEY" not in text
