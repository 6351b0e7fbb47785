"""The PDF itself: Chinese text, embedded fonts, size, QR code, the URL fetcher and the sandbox.

No app needed: rendering is pure.
"""
from __future__ import annotations

import dataclasses
import subprocess
import urllib.request

import pytest

from quiz.certificates import document
from quiz.certificates.document import CertificateData, Look, TemplateTextError, certificate_html, check_text
from quiz.fonts import charset, compact_faces
from quiz.pdf import FETCHER, STATIC_ROOT, RefusedURL, html_to_pdf

URL = "https://training.example.cn/verify/7KQ2M9XHP4TA"


def _data(**changes) -> CertificateData:
    base = CertificateData(name="王建国", employee_no="0100234", unit="氧化铝厂 / 矿制工区 / 磨工一班",
                           exam_title="矿制工区磨工岗位安全操作规程考试", score="88", max_score="100",
                           date="2026年3月5日", serial="2026-000123", code="7KQ2M9XHP4TA", verify_url=URL)
    return dataclasses.replace(base, **changes)


def _pdf(data: CertificateData | None = None, look: Look | None = None) -> bytes:
    return html_to_pdf(certificate_html([data or _data()], look or Look()), css=document.certificate_css())


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _squash(text: str) -> str:
    return "".join(text.split())


def test_pdf_reads_back_in_chinese_with_every_font_embedded(tools, tmp_path):
    pdf = _pdf()
    assert pdf.startswith(b"%PDF")
    text = _squash(_text(pdf, tmp_path))
    for expected in ("王建国", "0100234", "氧化铝厂/矿制工区/磨工一班", "矿制工区磨工岗位安全操作规程考试",
                     "2026-000123", "证书", "中铝山西新材料有限公司", "2026年3月5日", "88"):
        assert expected in text, expected

    (tmp_path / "c.pdf").write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(tmp_path / "c.pdf")], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert listing, "no fonts at all"
    for line in listing:
        columns = line.split()
        # name type [type…] encoding emb sub uni object ID: emb/sub are the 5th/4th from the end
        assert columns[-5] == "yes", f"not embedded: {line}"
        assert columns[-4] == "yes", f"not subset: {line}"


def test_pdf_is_small_and_uses_the_compact_faces(tools, tmp_path):
    assert {f.family for f in compact_faces()} == {"QuizSans", "QuizSerif"}, \
        "fonts-noto-cjk and libharfbuzz-subset0 are expected (see quiz/fonts.py)"
    pdf = _pdf()
    assert len(pdf) <= 100 * 1024, f"{len(pdf) // 1024} KB"
    (tmp_path / "c.pdf").write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "c.pdf")], capture_output=True, text=True).stdout
    assert "QuizSans" in fonts and "QuizSerif" in fonts


def test_a_rare_name_character_falls_back_to_the_full_face(tools, tmp_path):
    name = "李喆堃"  # neither is in GB 2312
    assert not {ord(c) for c in name[1:]} & charset()
    text = _squash(_text(_pdf(_data(name=name)), tmp_path))
    assert name in text


def test_qr_code_decodes_to_the_verification_url(tools, tmp_path):
    (tmp_path / "c.pdf").write_bytes(_pdf())
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "c.pdf"), str(tmp_path / "page")],
                   check=True)
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True)
    assert out.stdout.strip() == URL


def test_several_certificates_make_one_page_each(tools, tmp_path):
    pdf = html_to_pdf(certificate_html([_data(serial=f"2026-00010{i}") for i in range(3)], Look()),
                      css=document.certificate_css())
    from pypdf import PdfReader
    import io

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    assert "2026-000102" in _squash(reader.pages[2].extract_text())


def test_user_text_is_escaped():
    html = certificate_html([_data(name="<script>alert(1)</script>")], Look())
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


# ---- the URL fetcher --------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the fetcher went to the network or the disk through urllib")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.com/x.png",
    "https://example.com/x.png",
    "ftp://example.com/x.png",
    f"file://{STATIC_ROOT}/../quiz/config.py",
    f"file://otherhost{STATIC_ROOT}/css/app.css",
    "//example.com/x.png",
])
def test_fetcher_refuses_external_and_file_urls(url, no_network):
    with pytest.raises((RefusedURL, ValueError)):
        FETCHER.fetch(url)


def test_fetcher_allows_static_files_data_uris_and_our_fonts():
    css = FETCHER.fetch((STATIC_ROOT / "css" / "certificate.css").as_uri())
    assert b"@page" in css.read()
    data = FETCHER.fetch("data:text/plain;base64,5L2g5aW9")
    assert data.read() == "你好".encode()
    if compact_faces():
        assert FETCHER.fetch("quiz-font:QuizSans").read()[:4] in (b"OTTO", b"\x00\x01\x00\x00")


def test_a_refused_image_is_left_out_of_the_pdf(weasyprint_warnings, no_network, tools, tmp_path):
    pdf = html_to_pdf('<p>证书</p><img src="file:///etc/passwd"><img src="http://example.com/x.png">')
    assert pdf.startswith(b"%PDF")
    warnings = weasyprint_warnings.take()
    assert len(warnings) == 2 and all("refused" in w for w in warnings), warnings
    assert "root:" not in _text(pdf, tmp_path)


# ---- the sandbox ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ name.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ name.format.__globals__ }}",
    "{{ config }}",
    "{{ request }}",
    "{{ unknown_name }}",
    "{% if %}",
])
def test_sandbox_refuses_tricks_and_unknown_names(text):
    assert check_text(text) is not None
    with pytest.raises(TemplateTextError):
        document.render_text(text, document.sample_context())


def test_sandbox_renders_the_placeholders():
    assert check_text(Look().body) is None
    out = document.render_text("{{ name }} {{ exam_title }} {{ score }}", document.sample_context())
    assert out == "张晓明 二十大应知应会安全培训考试 92"


def test_a_hostile_look_cannot_break_out_of_the_style_block():
    look = Look(primary_color="red;}</style><script>alert(1)</script>")
    html = certificate_html([_data()], look)
    assert "alert" not in html and "#0d3b66" in html
