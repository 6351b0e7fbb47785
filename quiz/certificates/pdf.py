"""Certificates as files: one PDF, one multi-page PDF to print, or a zip streamed entry by entry.

Turns rows into the plain values ``quiz.certificates.document`` renders, so
nothing with database access ever reaches the sandbox.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from sqlalchemy import Select, select

from quiz.certificates import document
from quiz.certificates.models import Certificate, CertificateTemplate
from quiz.certificates.render import html_to_pdf
from quiz.certificates.services import format_score
from quiz.extensions import db
from quiz.i18n import SHANGHAI
from quiz.org.models import Unit, User

PRINT_LIMIT = 300  # one PDF is laid out in memory at once; larger sets go as a zip


def verify_url(code: str) -> str:
    """The QR target: ``PUBLIC_BASE_URL`` + /verify/<code>, else this request's host."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    return (base or "http://localhost/").rstrip("/") + f"/verify/{code}"


def look_of(row: CertificateTemplate) -> document.Look:
    return document.Look(
        org_name=row.org_name or "", title=row.title or "", subtitle=row.subtitle or "", body=row.body or "",
        issuer=row.issuer or "", primary_color=document.safe_colour(row.primary_color, document.Look.primary_color),
        accent_color=document.safe_colour(row.accent_color, document.Look.accent_color),
        logo_uri=document.image_data_uri(row.logo, row.logo_mime),
        signature_uri=document.image_data_uri(row.signature, row.signature_mime),
    )




def data_of(cert: Certificate) -> document.CertificateData:
    issued = cert.issued_at.astimezone(SHANGHAI)
    return document.CertificateData(
        name=cert.holder_name, employee_no=cert.employee_no, unit=cert.unit_name, exam_title=cert.exam_title,
        score=format_score(cert.score), max_score=format_score(cert.max_score),
        date=f"{issued.year}年{issued.month}月{issued.day}日", serial=cert.serial, code=cert.code,
        verify_url=verify_url(cert.code), revoked=cert.revoked,
    )


def render_one(cert: Certificate, template: CertificateTemplate) -> bytes:
    return html_to_pdf(document.certificate_html([data_of(cert)], look_of(template)), css=document.certificate_css())


def render_sample(template: CertificateTemplate) -> bytes:
    data = document.sample_data(verify_url("SAMPLE0000AB"))
    return html_to_pdf(document.certificate_html([data], look_of(template)), css=document.certificate_css())


def sample_html(template: CertificateTemplate, css_href: str) -> str:
    data = document.sample_data(verify_url("SAMPLE0000AB"))
    return document.certificate_html([data], look_of(template), for_screen=True, css_href=css_href)


def file_name(employee_no: str, name: str) -> str:
    """工号-姓名.pdf, with nothing a file system or zip tool would trip on."""
    safe = "".join(c for c in f"{employee_no}-{name}" if c not in '\\/:*?"<>|\0\r\n\t').strip() or "certificate"
    return f"{safe}.pdf"


# ---- bulk -------------------------------------------------------------------------------------


def bulk_query(scope, exam_id: int, unit: Unit | None) -> Select:
    """Valid certificates of ``exam_id`` held by people the viewer may see, in ``unit``'s subtree."""
    query = (select(Certificate).join(User, Certificate.user_id == User.id)
             .where(Certificate.exam_id == exam_id, Certificate.revoked_at.is_(None), scope.people_condition()))
    if unit is not None:
        query = query.where(User.unit_id.in_(select(Unit.id).where(Unit.path.like(f"{unit.path}%"))))
    return query.order_by(Certificate.employee_no, Certificate.id)


@dataclass(frozen=True)
class Entry:
    file_name: str
    data: document.CertificateData


def entries(query: Select, batch: int = 200) -> Iterator[Entry]:
    """Plain entries read in batches, so a large set never sits in the session at once."""
    last_id = 0
    while True:
        ids = db.session.scalars(query.with_only_columns(Certificate.id).where(Certificate.id > last_id)
                                 .order_by(None).order_by(Certificate.id).limit(batch)).all()
        if not ids:
            return
        certs = db.session.scalars(select(Certificate).where(Certificate.id.in_(ids))
                                   .order_by(Certificate.employee_no, Certificate.id)).all()
        for cert in certs:
            yield Entry(file_name(cert.employee_no, cert.holder_name), data_of(cert))
        last_id = ids[-1]  # the identity map holds rows weakly: read ones are freed


class _Sink(io.RawIOBase):
    """A write-only, unseekable stream whose bytes the zip generator drains after each entry."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def _render_html(html: str) -> bytes:
    return html_to_pdf(html, css=document.certificate_css())


def _pdfs(htmls: Iterator[tuple[str, str]], processes: int) -> Iterator[tuple[str, bytes]]:
    """(name, pdf) in order; with ``processes`` > 1 rendered by that many worker processes.

    At most a few PDFs per worker wait to be written, so memory stays flat
    however slowly the client reads. Workers start by ``forkserver``: they
    share nothing with this process (no database connection, no locks).
    """
    if processes <= 1:
        for name, html in htmls:
            yield name, _render_html(html)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    window = processes * 4
    pending: deque = deque()
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("forkserver")) as pool:
        for name, html in htmls:
            pending.append((name, pool.submit(_render_html, html)))
            if len(pending) >= window:
                done_name, future = pending.popleft()
                yield done_name, future.result()
        while pending:
            done_name, future = pending.popleft()
            yield done_name, future.result()


def zip_stream(items: Iterable[Entry], look: document.Look, processes: int = 1) -> Iterator[bytes]:
    """A zip of one PDF per entry, yielded as it is made: memory holds a few PDFs at a time.

    PDFs are already compressed, so entries are stored. Two people with the
    same number and name (it happens after a roster merge) get ``(2)``.
    """
    sink = _Sink()
    seen: dict[str, int] = {}

    def htmls() -> Iterator[tuple[str, str]]:
        for item in items:
            name = item.file_name
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = f"{name[:-4]}({seen[name]}).pdf"
            yield name, document.certificate_html([item.data], look)

    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, pdf in _pdfs(htmls(), processes):
            archive.writestr(zipfile.ZipInfo(name, date_time=_zip_time()), pdf)
            yield sink.drain()
    yield sink.drain()


def bulk_processes(count: int) -> int:
    """Worker processes for a bulk zip: ``CERT_RENDER_PROCESSES`` (default: the CPUs, at most 4) for big sets."""
    import os

    configured = current_app.config.get("CERT_RENDER_PROCESSES")
    wanted = int(configured) if configured else min(os.cpu_count() or 1, 4)
    return wanted if count >= 40 else 1


def _zip_time() -> tuple[int, int, int, int, int, int]:
    from quiz.db import utcnow

    now = utcnow().astimezone(SHANGHAI)
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def print_pdf(items: Iterable[Entry], look: document.Look) -> bytes:
    """Every certificate as one page of a single PDF (fonts embedded once), for the printer."""
    data = [item.data for item in items]
    return html_to_pdf(document.certificate_html(data, look), css=document.certificate_css())
