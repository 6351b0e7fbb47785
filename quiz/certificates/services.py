"""Issuing, revoking and reissuing certificates, and the template settings.

Services flush and never commit (DESIGN rule 7): the view or CLI command
commits once. ``attempt_graded`` (sent when an attempt's result becomes
final) issues the certificate inside the grader's transaction.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import IntegrityError

from quiz.i18n import N_
from quiz.certificates.models import Certificate, CertificateTemplate
from quiz.db import utcnow
from quiz.errors import Refused
from quiz.exams.models import Attempt
from quiz.extensions import db
from quiz.i18n import SHANGHAI
from quiz.org.models import User
from quiz.org.services import audit, unit_label

#: no 0/O, 1/I/L: a code read off paper is typed back right
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31**12 ≈ 2**59
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 西门 "
    "呼延 澹台 公冶 宗政 濮阳 太叔 申屠 闻人 赫连 万俟 钟离 闾丘 子车 亓官 司空 鲜于 百里 东郭 南门 "
    "拓跋 第五 梁丘 左丘 东门 仲孙 单于 谷梁 乐正 漆雕 壤驷 公良 颛孙".split())


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed (spaces, dashes, lower case) as stored."""
    return re.sub(r"[^0-9A-Za-z]", "", text or "").upper()


def _next_serial(year: int) -> str:
    prefix = f"{year}-"
    last = db.session.scalar(select(func.max(Certificate.serial)).where(Certificate.serial.like(f"{prefix}%")))
    number = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def mask_name(name: str) -> str:
    """The name as the public page shows it: 张*明, 李*, 欧阳**, 阿*·****."""
    name = (name or "").strip()
    if not name:
        return ""
    if len(name) > 2 and name[:2] in _COMPOUND_SURNAMES and not re.search(r"[·•\s]", name):
        return name[:2] + "*" * (len(name) - 2)
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    if len(name) == 3 and not re.search(r"[·•\s]", name):
        return name[0] + "*" + name[2]
    return name[0] + "".join(c if c in "·• " else "*" for c in name[1:])


def score_band(score: float, max_score: float) -> str:
    """Pass band for the public page (msgids): 优秀 ≥ 90 %, 良好 ≥ 75 %, else 合格."""
    ratio = score / max_score if max_score else 0
    if ratio >= 0.9:
        return N_("优秀")
    if ratio >= 0.75:
        return N_("良好")
    return N_("合格")


def format_score(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def eligible(attempt: Attempt) -> bool:
    """A certificate is earned by a finished, counted, passed attempt at an assigned exam."""
    return (attempt.status == "submitted" and attempt.passed is True and attempt.counted
            and attempt.assignment_id is not None and attempt.mode == "exam" and attempt.score is not None)


def _create(user: User, attempt: Attempt, number: int, issued_by: User | None,
            reissued_from: Certificate | None) -> Certificate:
    """Add a certificate with a fresh serial and code, retrying on a (rare) serial collision."""
    year = utcnow().astimezone(SHANGHAI).year
    for _ in range(5):
        cert = Certificate(
            serial=_next_serial(year), code=new_code(), user_id=user.id, exam_id=attempt.exam_id,
            assignment_id=attempt.assignment_id, attempt_id=attempt.id, number=number,
            reissued_from_id=reissued_from.id if reissued_from else None,
            holder_name=user.name, employee_no=user.employee_no, unit_name=unit_label(user.unit),
            exam_title=attempt.exam.title, score=attempt.score or 0.0, max_score=attempt.max_score or 0.0,
            issued_by_id=issued_by.id if issued_by else None, issued_at=utcnow(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(cert)
        except IntegrityError:
            if _current(user.id, attempt.exam_id, number) is not None:
                raise
            continue  # two issuers took the same serial: take the next one
        return cert
    raise RuntimeError("could not allocate a certificate serial")


def _current(user_id: int, exam_id: int, number: int | None = None) -> Certificate | None:
    query = select(Certificate).where(Certificate.user_id == user_id, Certificate.exam_id == exam_id)
    if number is not None:
        query = query.where(Certificate.number == number)
    return db.session.scalar(query.order_by(Certificate.number.desc()).limit(1))


def issue_for_attempt(attempt: Attempt) -> Certificate | None:
    """Issue the certificate this attempt earns, once per worker per exam.

    Returns the new certificate, or None when the attempt earns none or the
    worker already has one for this exam (a later, better score changes
    nothing; a revoked one stays revoked until an admin reissues it).
    """
    if not eligible(attempt):
        return None
    if _current(attempt.user_id, attempt.exam_id) is not None:
        return None
    try:
        return _create(attempt.user, attempt, number=1, issued_by=None, reissued_from=None)
    except IntegrityError:
        return None  # issued by a concurrent request in the meantime


def on_attempt_graded(attempt: Attempt, **_extra) -> None:
    """The ``attempt_graded`` receiver (connected by ``quiz.certificates.register``)."""
    issue_for_attempt(attempt)


def issue_missing() -> list[Certificate]:
    """Issue every certificate earned but missing (attempts graded before this code existed)."""
    has_cert = exists().where(and_(Certificate.user_id == Attempt.user_id, Certificate.exam_id == Attempt.exam_id))
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.status == "submitted", Attempt.passed.is_(True), Attempt.counted.is_(True),
                              Attempt.assignment_id.is_not(None), Attempt.mode == "exam", ~has_cert)
        .order_by(Attempt.submitted_at, Attempt.id)
    ).all()
    issued = []
    for attempt in attempts:  # best first would need a policy; the first passing attempt earns it
        cert = issue_for_attempt(attempt)
        if cert is not None:
            issued.append(cert)
    return issued


def revoke(cert: Certificate, reason: str, actor: User | None) -> None:
    """Withdraw a certificate; the verification page says so from now on."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(N_("请填写撤销原因。"))
    if cert.revoked:
        raise Refused(N_("该证书已撤销。"))
    cert.revoked_at = utcnow()
    cert.revoked_by_id = actor.id if actor else None
    cert.revoke_reason = reason
    db.session.flush()
    audit("certificate.revoke", cert, f"撤销证书 {cert.serial}（{cert.holder_name} {cert.employee_no}）：{reason}",
          {"serial": cert.serial, "reason": reason}, actor=actor)


def reissue(cert: Certificate, reason: str, actor: User | None) -> Certificate:
    """A new certificate (new serial and code, today's name and unit) replacing ``cert``, which is revoked."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(N_("请填写补发原因。"))
    latest = _current(cert.user_id, cert.exam_id)
    if latest is not None and latest.id != cert.id:
        raise Refused(N_("只能补发该员工此考试的最新一张证书。"))
    attempt = cert.attempt
    if attempt is None:
        raise Refused(N_("找不到这张证书对应的考试记录。"))
    new = _create(cert.user, attempt, number=cert.number + 1, issued_by=actor, reissued_from=cert)
    if not cert.revoked:
        cert.revoked_at = utcnow()
        cert.revoked_by_id = actor.id if actor else None
        cert.revoke_reason = f"已补发（新编号 {new.serial}）：{reason}"
    db.session.flush()
    audit("certificate.reissue", new, f"补发证书 {cert.serial} → {new.serial}（{new.holder_name} {new.employee_no}）：{reason}",
          {"old": cert.serial, "new": new.serial, "reason": reason}, actor=actor)
    return new


def find_by_code(code: str) -> Certificate | None:
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def find_by_serial_and_code(serial: str, code: str) -> Certificate | None:
    """Both must match: a serial alone is printed and guessable, the code is not."""
    cert = find_by_code(code)
    if cert is None or cert.serial != (serial or "").strip():
        return None
    return cert


# ---- template settings ---------------------------------------------------------------


def current_template() -> CertificateTemplate:
    """The settings row, or unsaved defaults when the admin has saved none yet."""
    row = db.session.scalar(select(CertificateTemplate).order_by(CertificateTemplate.id).limit(1))
    if row is not None:
        return row
    from flask import current_app

    return CertificateTemplate(org_name=current_app.config.get("ORG_NAME", ""), title="证　书",
                               subtitle="CERTIFICATE OF COMPLETION", body=_default_body(),
                               issuer=f"{current_app.config.get('ORG_NAME', '')} 培训中心",
                               primary_color="#0d3b66", accent_color="#b8860b")


def _default_body() -> str:
    from quiz.certificates.models import DEFAULT_BODY

    return DEFAULT_BODY


@dataclass
class TemplateChange:
    org_name: str
    title: str
    subtitle: str
    body: str
    issuer: str
    primary_color: str
    accent_color: str
    logo: tuple[bytes, str] | None = None  # new image (data, mime)
    signature: tuple[bytes, str] | None = None
    remove_logo: bool = False
    remove_signature: bool = False


def apply_template_change(row: CertificateTemplate, change: TemplateChange) -> None:
    """Copy validated settings onto ``row`` (saved or a preview copy); images replaced or removed."""
    for name in ("org_name", "title", "subtitle", "body", "issuer", "primary_color", "accent_color"):
        setattr(row, name, getattr(change, name))
    if change.remove_logo:
        row.logo, row.logo_mime = None, None
    elif change.logo:
        row.logo, row.logo_mime = change.logo
    if change.remove_signature:
        row.signature, row.signature_mime = None, None
    elif change.signature:
        row.signature, row.signature_mime = change.signature


def save_template(change: TemplateChange, actor: User | None) -> CertificateTemplate:
    row = db.session.scalar(select(CertificateTemplate).order_by(CertificateTemplate.id).limit(1))
    if row is None:
        row = CertificateTemplate()
        db.session.add(row)
    apply_template_change(row, change)
    row.updated_by_id = actor.id if actor else None
    db.session.flush()
    audit("certificate.template", row, "修改证书模板", actor=actor)
    return row


def audit_bulk_download(exam, unit, label: str, count: int, kind: str) -> None:
    """A head's or trainer's bulk download of ``count`` certificates of ``exam`` (zip or pdf), audited."""
    audit("certificate.bulk_download", exam, f"批量下载证书：{exam.title} / {label}（{count} 份，{kind}）",
          {"exam_id": exam.id, "unit_id": unit.id if unit else None, "count": count, "format": kind})
