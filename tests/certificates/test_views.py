"""Pages: my certificates, public verification, admin template and revoke/reissue, bulk downloads."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from quiz.certificates.models import Certificate, CertificateTemplate
from quiz.extensions import db
from tests.certificates.factories import latest_certificate
from tests.org.factories import login


# ---- worker -----------------------------------------------------------------------------------


def test_worker_sees_and_downloads_their_certificate(client, org):
    cert = latest_certificate(org["zhang"])
    login(client, org["zhang"])
    page = client.get("/certificates/").get_data(as_text=True)
    assert cert.serial in page and "二十大应知应会安全培训考试" in page
    inline = client.get(f"/certificates/{cert.id}.pdf")
    assert inline.status_code == 200 and inline.mimetype == "application/pdf"
    assert inline.headers["Content-Disposition"].startswith("inline")
    download = client.get(f"/certificates/{cert.id}.pdf?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''0100001-%E5%BC%A0" in download.headers["Content-Disposition"]
    text = "".join(PdfReader(io.BytesIO(download.data)).pages[0].extract_text().split())
    assert "张晓明" in text and cert.serial in text


def test_worker_cannot_open_someone_elses_certificate(client, org):
    login(client, org["li"])
    assert client.get(f"/certificates/{latest_certificate(org['zhang']).id}.pdf").status_code == 404


def test_failed_worker_has_no_certificate(client, org):
    login(client, org["failed"])
    assert "您还没有证书" in client.get("/certificates/").get_data(as_text=True)
    assert latest_certificate(org["failed"]) is None


def test_home_panel_counts_certificates(client, org):
    login(client, org["zhang"])
    assert "您已获得 1 张培训合格证书" in client.get("/").get_data(as_text=True)


# ---- public verification ------------------------------------------------------------------------


def test_verification_shows_the_masked_name_and_nothing_else_personal(client, org):
    cert = latest_certificate(org["zhang"])
    response = client.get(f"/verify/{cert.code}")  # no sign-in
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-status="valid"' in page
    assert "张*明" in page and "张晓明" not in page
    assert "0100001" not in page  # employee number
    # the exact score (95) is not shown, only the band; random tokens and the code may contain "95"
    shown = re.sub(r'(value|content|href|src|action)="[^"]*"', "", page).replace(cert.serial, "").replace(cert.code, "")
    assert not re.search(r"(?<![0-9A-Za-z])95(?![0-9A-Za-z])", shown)
    assert "优秀" in page and cert.exam_title in page and "氧化铝厂 / 矿制工区" in page


def test_verification_accepts_the_code_as_people_type_it(client, org):
    cert = latest_certificate(org["zhang"])
    grouped = "-".join(cert.code[i:i + 4] for i in range(0, 12, 4)).lower()
    assert 'data-status="valid"' in client.get(f"/verify/{grouped}").get_data(as_text=True)


def test_revoked_certificate_shows_as_revoked(client, org):
    cert = latest_certificate(org["li"])
    from quiz.certificates import services

    services.revoke(cert, "成绩作废", org["admin"])
    db.session.commit()
    page = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert 'data-status="revoked"' in page and "证书已撤销" in page
    assert "成绩作废" not in page  # the reason is not for the public
    assert 'data-status="valid"' not in page


def test_wrong_code_reveals_nothing(client, org):
    cert = latest_certificate(org["zhang"])
    wrong = ("2" if cert.code[0] != "2" else "3") + cert.code[1:]
    response = client.get(f"/verify/{wrong}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'data-status="unknown"' in page
    for secret in ("张", "氧化铝厂", cert.serial, cert.exam_title):
        assert secret not in page.split('id="result"')[1]


def test_manual_verification_needs_serial_and_code(csrf_app, org):
    client = csrf_app.test_client()
    cert = latest_certificate(org["zhang"])
    form_page = client.get("/verify").get_data(as_text=True)
    token = form_page.split('name="csrf_token" value="')[1].split('"')[0]
    ok = client.post("/verify", data={"csrf_token": token, "serial": cert.serial, "code": cert.code.lower()})
    assert 'data-status="valid"' in ok.get_data(as_text=True)
    other = latest_certificate(org["li"])
    mismatch = client.post("/verify", data={"csrf_token": token, "serial": cert.serial, "code": other.code})
    assert mismatch.status_code == 404 and 'data-status="unknown"' in mismatch.get_data(as_text=True)
    assert client.post("/verify", data={"serial": cert.serial, "code": cert.code}).status_code == 400  # no CSRF


def test_verification_is_rate_limited(client, org):
    codes = [client.get("/verify/AAAAAAAAAAAA").status_code for _ in range(25)]
    assert codes[:20] == [404] * 20 and 429 in codes[20:]


# ---- bulk ---------------------------------------------------------------------------------------


def _zip_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return sorted(archive.namelist())


def test_head_downloads_their_units_certificates_as_a_zip(client, org):
    login(client, org["head"])
    exam, alumina = org["exam"], org["alumina"]
    page = client.get(f"/certificates/bulk?exam={exam.id}&unit={alumina.id}").get_data(as_text=True)
    assert 'data-count="2"' in page
    response = client.get(f"/certificates/bulk/download?exam={exam.id}&unit={alumina.id}&format=zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.is_streamed and response.headers["X-Certificate-Count"] == "2"
    data = response.get_data()
    assert _zip_names(data) == ["0100001-张晓明.pdf", "0100002-李四.pdf"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("0100001-张晓明.pdf").startswith(b"%PDF")


def test_a_certificate_in_the_bulk_zip_shows_what_the_single_one_shows(client, org):
    """The zip's PDFs come from plain rows rendered in worker processes, the single one from the
    model in the request: the holder, score, dates, serial and code read back the same."""
    cert = latest_certificate(org["zhang"])
    login(client, org["head"])
    single = client.get(f"/certificates/{cert.id}.pdf").data
    response = client.get(f"/certificates/bulk/download?exam={org['exam'].id}&unit={org['alumina'].id}&format=zip")
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        in_zip = archive.read("0100001-张晓明.pdf")

    def text(data: bytes) -> str:
        return "".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())

    assert text(in_zip) == text(single)
    assert cert.serial in text(in_zip) and "张晓明" in text(in_zip)


@pytest.mark.parametrize("unit_key", ["smelter", "company", None])
def test_head_cannot_bulk_download_another_units_certificates(client, org, unit_key):
    login(client, org["head"])
    unit = f"&unit={org[unit_key].id}" if unit_key else ""
    exam = org["exam"].id
    assert client.get(f"/certificates/bulk/download?exam={exam}{unit}&format=zip").status_code == 403
    assert client.get(f"/certificates/bulk/download?exam={exam}{unit}&format=pdf").status_code == 403
    assert client.get(f"/certificates/bulk?exam={exam}{unit}").status_code == 403


def test_worker_cannot_bulk_download(client, org):
    login(client, org["zhang"])
    assert client.get(f"/certificates/bulk/download?exam={org['exam'].id}&unit={org['section'].id}").status_code == 403


def test_trainer_downloads_one_pdf_to_print(client, org):
    login(client, org["trainer"])
    response = client.get(f"/certificates/bulk/download?exam={org['exam'].id}&unit={org['company'].id}&format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 3  # 张, 李, 赵; not the failed one
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    assert "张晓明" in text and "赵六" in text and "钱七" not in text


def test_revoked_certificates_are_left_out_of_bulk(client, org):
    from quiz.certificates import services

    services.revoke(latest_certificate(org["li"]), "错误签发", org["admin"])
    db.session.commit()
    login(client, org["head"])
    response = client.get(f"/certificates/bulk/download?exam={org['exam'].id}&unit={org['alumina'].id}")
    assert _zip_names(response.get_data()) == ["0100001-张晓明.pdf"]


# ---- admin --------------------------------------------------------------------------------------


def _png(width=300, height=120) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, 255)).save(out, "PNG")
    return out.getvalue()


def _template_form(**changes) -> dict:
    form = {"org_name": "中铝山西铝业有限公司", "title": "合格证书", "subtitle": "CERTIFICATE",
            "body": "兹证明 {{ name }} 通过「{{ exam_title }}」。", "issuer": "中铝山西铝业 安全环保部",
            "primary_color": "#123456", "accent_color": "#654321"}
    form.update(changes)
    return form


def test_admin_edits_the_template_with_preview_and_sample(client, org):
    login(client, org["admin"])
    assert client.get("/certificates/admin/template").status_code == 200
    preview = client.post("/certificates/admin/template/preview", data=_template_form(),
                          content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert "中铝山西铝业有限公司" in html and "张晓明 通过" in html and "#123456" in html
    assert db.session.scalar(select(CertificateTemplate)) is None  # preview saves nothing
    sample = client.post("/certificates/admin/template/sample.pdf", data=_template_form(),
                         content_type="multipart/form-data")
    assert sample.mimetype == "application/pdf"
    assert "合格证书" in "".join(PdfReader(io.BytesIO(sample.data)).pages[0].extract_text().split())
    saved = client.post("/certificates/admin/template",
                        data=_template_form(logo=(io.BytesIO(_png(2000, 1000)), "logo.png")),
                        content_type="multipart/form-data")
    assert saved.status_code == 302
    row = db.session.scalar(select(CertificateTemplate))
    assert row.org_name == "中铝山西铝业有限公司" and row.logo_mime == "image/png"
    from PIL import Image

    assert Image.open(io.BytesIO(row.logo)).width <= 480  # shrunk: PDFs stay small
    # every certificate now uses it
    pdf = client.get(f"/certificates/{latest_certificate(org['zhang']).id}.pdf").data
    assert "中铝山西铝业有限公司" in "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert len(pdf) <= 100 * 1024


def test_admin_template_refuses_sandbox_escapes_and_bad_images(client, org):
    login(client, org["admin"])
    bad = client.post("/certificates/admin/template", data=_template_form(body="{{ ''.__class__.__mro__ }}"),
                      content_type="multipart/form-data")
    assert bad.status_code == 200 and "无法生成证书" in bad.get_data(as_text=True)
    not_image = client.post("/certificates/admin/template",
                            data=_template_form(logo=(io.BytesIO(b"<svg onload=alert(1)>"), "x.png")),
                            content_type="multipart/form-data")
    assert not_image.status_code == 200 and "无法读取这张图片" in not_image.get_data(as_text=True)
    assert db.session.scalar(select(CertificateTemplate)) is None


def test_non_admins_cannot_reach_the_admin_pages(client, org):
    login(client, org["head"])
    cert = latest_certificate(org["zhang"])
    assert client.get("/certificates/admin").status_code == 403
    assert client.get("/certificates/admin/template").status_code == 403
    assert client.post(f"/certificates/admin/{cert.id}/revoke", data={"reason": "x"}).status_code == 403


def test_admin_revokes_and_reissues(client, org):
    login(client, org["admin"])
    cert = latest_certificate(org["zhang"])
    assert cert.serial in client.get(f"/certificates/admin?q={cert.employee_no}").get_data(as_text=True)
    assert client.post(f"/certificates/admin/{cert.id}/reissue", data={"reason": ""}).status_code == 302
    assert latest_certificate(org["zhang"]).id == cert.id  # no reason, nothing done
    client.post(f"/certificates/admin/{cert.id}/reissue", data={"reason": "证书遗失"})
    new = latest_certificate(org["zhang"])
    assert new.id != cert.id and new.number == 2
    db.session.refresh(cert)
    assert cert.revoked
    client.post(f"/certificates/admin/{new.id}/revoke", data={"reason": "离职"})
    db.session.refresh(new)
    assert new.revoked and new.revoke_reason == "离职"


def test_admin_forms_need_csrf(csrf_app, org):
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"employee_no": org["admin"].employee_no, "password": "Passw0rd!", "csrf_token": token})
    cert = latest_certificate(org["zhang"])
    assert client.post(f"/certificates/admin/{cert.id}/revoke", data={"reason": "x"}).status_code == 400
    db.session.refresh(cert)
    assert not cert.revoked


def test_zip_stream_in_worker_processes_keeps_order_and_names(app):
    from quiz.certificates import document
    from quiz.certificates.pdf import Entry, zip_stream

    base = document.sample_data()
    import dataclasses

    entries = [Entry(f"01000{i}-张晓明.pdf", dataclasses.replace(base, serial=f"2026-00000{i}")) for i in range(5)]
    entries.append(entries[0])  # same number and name twice
    data = b"".join(zip_stream(iter(entries), document.Look(), processes=2))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == [e.file_name for e in entries[:5]] + ["010000-张晓明(2).pdf"]
        text = "".join(PdfReader(io.BytesIO(archive.read(names[3]))).pages[0].extract_text().split())
        assert "2026-000003" in text


def test_a_certificate_from_a_bulk_worker_looks_like_the_single_one(app):
    """Bulk workers cut their fonts to the job's characters: the page must still be the same picture."""
    import dataclasses

    from quiz.certificates import document, rendering
    from quiz.certificates.image import png_of_pdf
    from quiz.certificates.pdf import Entry, zip_stream

    base = document.sample_data()
    people = [("0100001", "张晓明"), ("0100002", "欧阳娜娜"), ("0100003", "李四")]
    entries = [Entry(f"{no}-{name}.pdf", dataclasses.replace(base, employee_no=no, name=name, serial=f"2026-00000{i}"))
               for i, (no, name) in enumerate(people)]
    data = b"".join(zip_stream(iter(entries), document.Look(), processes=2))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        from_worker = archive.read("0100002-欧阳娜娜.pdf")
    single = rendering.render(entries[1].data, document.Look())
    assert len(from_worker) < len(single)  # the smaller fonts are in it
    assert png_of_pdf(from_worker) == png_of_pdf(single)
