"""A certificate as a picture: the same PDF rendered to PNG with PDFium, rendered once and kept.

WeChat's browser cannot download or keep a PDF; a picture can be long-pressed
and saved to the phone's album. The picture is the PDF's first page at twice
its size in points (1684 × 1191 px for A4 landscape: sharp on a phone, about
130 KB), so it carries the same QR code to the verification page.
"""
from __future__ import annotations

import hashlib
import io

import pypdfium2 as pdfium
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quiz.certificates import pdf
from quiz.certificates.models import Certificate, CertificateImage, CertificateTemplate
from quiz.db import begin_write, utcnow
from quiz.extensions import db

SCALE = 2.0  # pixels per PDF point


def png_of_pdf(data: bytes, scale: float = SCALE) -> bytes:
    """The PDF's first page as PNG bytes."""
    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        try:
            bitmap = page.render(scale=scale)
            image = bitmap.to_pil().convert("RGB")
        finally:
            page.close()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def template_key(cert: Certificate, template: CertificateTemplate) -> str:
    """What the picture depends on besides the certificate: the template and the QR's address."""
    stamp = template.updated_at.isoformat() if template.updated_at else ""
    raw = f"{template.id}|{stamp}|{pdf.verify_url(cert.code)}"
    return hashlib.sha256(raw.encode()).hexdigest()


def image_of(cert: Certificate, template: CertificateTemplate) -> bytes:
    """The certificate's PNG: from the cache when it is current, else rendered and stored.

    Commits: the picture is stored in its own short write transaction. A
    concurrent request that stored it first wins; this one serves what it
    rendered.
    """
    key = template_key(cert, template)
    cached = db.session.scalar(select(CertificateImage).where(CertificateImage.certificate_id == cert.id))
    if cached is not None and cached.template_key == key:
        return cached.png
    png = png_of_pdf(pdf.render_one(cert, template))
    cert_id = cert.id
    begin_write(db.session)
    try:
        row = db.session.get(CertificateImage, cert_id)
        if row is None:
            db.session.add(CertificateImage(certificate_id=cert_id, template_key=key, png=png))
        else:
            row.template_key, row.png, row.rendered_at = key, png, utcnow()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    return png
