"""HTML an admin types into the certificate template is sanitised (quiz/markup.py,
formatting tags only), and the settings page's preview runs in a sandboxed iframe."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from quiz.certificates import document
from quiz.certificates.models import CertificateTemplate
from quiz.extensions import db
from tests.org.factories import login, make_unit, make_user

EVIL_ISSUER = ('<b>安全环保部</b><script>alert(document.cookie)</script>'
               '<img src=x onerror=alert(2)><a href="javascript:alert(3)">点我</a><iframe src="/"></iframe>')


def _form(**changes) -> dict:
    form = {"org_name": "中铝山西铝业有限公司", "title": "合格证书", "subtitle": "CERTIFICATE",
            "body": "兹证明 <em>{{ name }}</em> 通过「{{ exam_title }}」。", "issuer": EVIL_ISSUER,
            "primary_color": "#123456", "accent_color": "#654321"}
    form.update(changes)
    return form


def _no_script(html: str) -> None:
    assert "<script" not in html and "alert(" not in html
    assert "<iframe" not in html and not re.search(r"\son\w+=", html)
    assert "javascript:" not in html


def test_admin_html_in_the_template_is_reduced_to_formatting():
    html = document.certificate_html([document.sample_data()], document.Look(issuer=EVIL_ISSUER,
                                     body="兹证明 <strong>{{ name }}</strong><br>合格。"))
    _no_script(html)
    assert "<b>安全环保部</b>" in html and "<strong>张晓明</strong><br>合格" in html


def test_values_stay_escaped_inside_admin_formatting():
    data = document.sample_data()
    data = type(data)(**{**data.__dict__, "name": "<script>x()</script>王"})
    html = document.certificate_html([data], document.Look(body="<b>{{ name }}</b>"))
    assert "<b>&lt;script&gt;x()&lt;/script&gt;王</b>" in html


def test_preview_saved_template_and_pdf_carry_no_script(client, app):
    admin = make_user("0000001", "管理员", unit=make_unit("公司", kind="company"), roles={"admin": [None]})
    db.session.commit()
    login(client, admin)
    preview = client.post("/certificates/admin/template/preview", data=_form(), content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    _no_script(html)
    assert "<b>安全环保部</b>" in html and "<em>张晓明</em>" in html
    saved = client.post("/certificates/admin/template", data=_form(), content_type="multipart/form-data")
    assert saved.status_code == 302
    assert db.session.scalar(select(CertificateTemplate)).issuer  # kept as typed; sanitised on every render
    _no_script(client.get("/certificates/admin/template/preview").get_data(as_text=True))
    pdf = client.get("/certificates/admin/template/sample.pdf").data
    text = "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "安全环保部" in text and "alert" not in text


def test_the_preview_frame_is_sandboxed_and_the_page_has_no_inline_script(client, app):
    admin = make_user("0000001", "管理员", unit=make_unit("公司", kind="company"), roles={"admin": [None]})
    db.session.commit()
    login(client, admin)
    page = client.get("/certificates/admin/template").get_data(as_text=True)
    frame = re.search(r"<iframe[^>]*>", page).group(0)
    assert re.search(r'\ssandbox(=""|\s|>)', frame), frame  # no allow-scripts, no allow-same-origin
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page)  # scripts only from static files
    assert not re.search(r"\son[a-z]+=", page)
