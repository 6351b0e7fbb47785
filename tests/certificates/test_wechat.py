"""Inside WeChat's browser: the certificate as a picture, downloads that explain themselves,
and pages that read well when forwarded.

WeChat's browser (user agent with ``MicroMessenger``) neither downloads files
on Android nor keeps PDFs. With its user agent: the certificate has an image
page whose PNG decodes, carries the verification QR code, is cached and is
refused to anyone but the holder, their heads and admins; every download link
leads to a guide (open in the browser, or copy the link); without it the same
links download.
"""
from __future__ import annotations

import io
import re
import subprocess

import pytest
from PIL import Image
from sqlalchemy import func, select

from quiz.certificates import image as cert_image
from quiz.certificates.models import Certificate, CertificateImage
from quiz.db import utcnow
from quiz.extensions import db
from tests.certificates.factories import latest_certificate
from tests.org.factories import login, make_user

WECHAT = ("Mozilla/5.0 (Linux; Android 12; M2012K11AC Build/SKQ1.211006.001; wv) AppleWebKit/537.36 "
          "(KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5075 "
          "MMWEBSDK/20230504 MMWEBID/1234 MicroMessenger/8.0.37.2380(0x28002537) WeChat/arm64 Weixin "
          "NetType/WIFI Language/zh_CN ABI/arm64")
CHROME = "Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
GUIDE = "在浏览器打开"


def wechat(client):
    client.environ_base["HTTP_USER_AGENT"] = WECHAT
    return client


def test_certificate_picture_decodes_and_carries_the_verification_qr(client, org, tools, tmp_path):
    cert = latest_certificate(org["zhang"])
    login(wechat(client), org["zhang"])
    page = client.get("/certificates/").get_data(as_text=True)
    assert f"/certificates/{cert.id}/image" in page and f"/certificates/{cert.id}.pdf" not in page
    page = client.get(f"/certificates/{cert.id}/image").get_data(as_text=True)
    assert "长按图片保存到相册" in page and f"/certificates/{cert.id}.png" in page
    r = client.get(f"/certificates/{cert.id}.png")
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert len(r.data) < 400 * 1024
    picture = Image.open(io.BytesIO(r.data))
    assert picture.width >= 1500  # sharp on a phone at full width
    (tmp_path / "c.png").write_bytes(r.data)
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "c.png")], capture_output=True, text=True)
    assert out.stdout.strip() == f"http://localhost/verify/{cert.code}"


def test_picture_is_rendered_once(client, org, monkeypatch):
    cert = latest_certificate(org["zhang"])
    login(client, org["zhang"])
    calls = []
    real = cert_image.png_of_pdf
    monkeypatch.setattr(cert_image, "png_of_pdf", lambda data, **kw: calls.append(1) or real(data, **kw))
    first = client.get(f"/certificates/{cert.id}.png").data
    second = client.get(f"/certificates/{cert.id}.png").data
    assert first == second and len(calls) == 1
    assert db.session.scalar(select(func.count()).select_from(CertificateImage)) == 1


def test_picture_only_for_holder_heads_and_admins(app, org):
    cert = latest_certificate(org["zhang"])
    expected = {"zhang": 200, "head": 200, "admin": 200, "li": 404, "zhao": 404, "trainer": 404}
    for who, status in expected.items():
        client = wechat(app.test_client())
        login(client, org[who])
        assert client.get(f"/certificates/{cert.id}/image").status_code == status, who
        assert client.get(f"/certificates/{cert.id}.png").status_code == status, who
    head_elsewhere = make_user("0209999", "吴主任", unit=org["smelter"], roles={"head": [org["smelter"].id]})
    client = wechat(app.test_client())
    login(client, head_elsewhere)
    assert client.get(f"/certificates/{cert.id}.png").status_code == 404


def test_revoked_certificate_is_never_shown_as_valid(app, org):
    cert = latest_certificate(org["zhang"])
    owner = wechat(app.test_client())
    login(owner, org["zhang"])
    assert owner.get(f"/certificates/{cert.id}.png").status_code == 200  # cached while valid
    cert.revoked_at, cert.revoke_reason = utcnow(), "成绩有误"
    db.session.commit()
    assert owner.get(f"/certificates/{cert.id}/image").status_code == 404
    assert owner.get(f"/certificates/{cert.id}.png").status_code == 404
    admin = wechat(app.test_client())
    login(admin, org["admin"])
    page = admin.get(f"/certificates/{cert.id}/image").get_data(as_text=True)
    assert "此证书已撤销" in page and f"/certificates/{cert.id}.png" not in page
    assert admin.get(f"/certificates/{cert.id}.png").status_code == 404


def downloads(org, cert) -> list[str]:
    from tests.banks.factories import imported_bank

    bank = imported_bank("微信题库", n=2)
    return [f"/certificates/{cert.id}.pdf", f"/certificates/{cert.id}.pdf?download=1",
            "/reports/export.xlsx", "/reports/chase.csv", "/reports/report.pdf",
            f"/banks/{bank.id}/export/xlsx", f"/banks/{bank.id}/export/text", "/banks/template.xlsx",
            f"/certificates/bulk/download?exam={org['exam'].id}&unit={org['company'].id}&format=zip",
            f"/certificates/bulk/download?exam={org['exam'].id}&unit={org['company'].id}&format=pdf"]


def test_every_download_shows_the_guide_in_wechat_and_downloads_elsewhere(app, org):
    cert = latest_certificate(org["zhang"])
    with app.test_request_context():
        urls = downloads(org, cert)
    db.session.commit()
    for agent, expect_guide in ((WECHAT, True), (CHROME, False)):
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = agent
        login(client, org["admin"])
        for url in urls:
            r = client.get(url)
            body = r.get_data()
            if expect_guide:
                text = body.decode()
                assert r.status_code == 200 and r.mimetype == "text/html", url
                assert GUIDE in text and "右上角" in text, url
                link = re.search(r'id="download-link"[^>]*value="([^"]+)"', text).group(1)
                assert link.startswith("http://localhost/") and link.endswith(url.split("/")[-1].replace("&", "&amp;")), url
            else:
                assert r.status_code == 200 and r.mimetype != "text/html", url


def test_download_links_point_at_the_guide_in_wechat_only(app, org):
    for agent, guide in ((WECHAT, True), (CHROME, False)):
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = agent
        login(client, org["head"])
        page = client.get("/reports/").get_data(as_text=True)
        hrefs = re.findall(r'href="([^"]*(?:export\.xlsx|chase\.csv|report\.pdf)[^"]*)"', page)
        assert hrefs, "the report page offers its downloads"
        assert all(h.startswith("/download?to=") == guide for h in hrefs), hrefs


def test_guide_only_links_to_this_site(client):
    for target in ("//evil.example/x", "https://evil.example/x", "javascript:alert(1)", "/\\evil.example"):
        page = client.get("/download", query_string={"to": target}).get_data(as_text=True)
        link = re.search(r'id="download-link"[^>]*value="([^"]+)"', page).group(1)
        assert link == "http://localhost/", target


def test_forwarded_pages_have_a_title_and_description_without_personal_data(app, org):
    from quiz.banks import services as bank_services

    cert = latest_certificate(org["zhang"])
    with app.test_request_context():
        article = bank_services.create_article("行为安全观察与沟通", body="## 谁来做\n\n- **管理人员**观察至少 30 秒。")
    db.session.commit()
    client = wechat(app.test_client())
    login(client, org["zhang"])
    pages = {f"/articles/{article.id}": "行为安全观察与沟通", f"/exams/{org['exam'].id}": org["exam"].title,
             f"/verify/{cert.code}": "证书验证"}
    for url, title in pages.items():
        html = client.get(url).get_data(as_text=True)
        head = html.split("</head>")[0]
        assert f"<title>{title}</title>" in head, url
        description = re.search(r'<meta name="description" content="([^"]+)"', head).group(1)
        assert len(description) >= 10 and "**" not in description, (url, description)
        for personal in ("张晓明", "张*明", org["zhang"].employee_no):
            assert personal not in head, (url, personal)
