"""The certificate as HTML: plain values in, markup out, all inside a Jinja sandbox.

An admin edits the template's texts (organisation, title, body sentence,
issuer), so they are Jinja templates rendered in a ``SandboxedEnvironment``
with autoescape, strict undefined and only strings and numbers in the
context: no model, no request, nothing with methods worth calling. The page
layout (``templates/certificates/pdf/``) is ours but goes through the same
sandbox, so one environment renders everything a PDF contains.

Pure: no Flask, no database.
"""
from __future__ import annotations

import base64
import functools
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import segno
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from quiz.i18n import N_
from quiz.markup import INLINE_TAGS, sanitize_html

REPO = Path(__file__).resolve().parents[2]
LAYOUT_DIR = REPO / "templates" / "certificates" / "pdf"
CSS_PATH = REPO / "static" / "css" / "certificate.css"

#: names an admin may use in the texts, with what they mean (shown on the settings page)
PLACEHOLDERS = {
    "name": N_("姓名"), "employee_no": N_("工号"), "unit": N_("单位"), "exam_title": N_("考试/培训名称"),
    "score": N_("成绩"), "max_score": N_("满分"), "date": N_("发证日期"), "serial": N_("证书编号"),
    "org_name": N_("单位名称"),
}


class TemplateTextError(ValueError):
    """An admin's text does not render (syntax, unknown name, or a sandbox refusal)."""


@dataclass(frozen=True)
class Look:
    """The admin's settings, as plain values."""

    org_name: str = "中铝山西新材料有限公司"
    title: str = "证　书"
    subtitle: str = "CERTIFICATE OF COMPLETION"
    body: str = ("兹证明 {{ name }}（工号 {{ employee_no }}，{{ unit }}）参加「{{ exam_title }}」，"
                 "成绩 {{ score }} 分，考核合格，特发此证。")
    issuer: str = "中铝山西新材料有限公司 培训中心"
    primary_color: str = "#0d3b66"
    accent_color: str = "#b8860b"
    logo_uri: str = ""  # data: URI or empty
    signature_uri: str = ""


@dataclass(frozen=True)
class CertificateData:
    """One certificate's facts, already formatted for print."""

    name: str
    employee_no: str
    unit: str
    exam_title: str
    score: str
    max_score: str
    date: str  # 2026年3月5日
    serial: str
    code: str
    verify_url: str
    revoked: bool = False
    extra: dict = field(default_factory=dict)


def _new_env(**kwargs) -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True, **kwargs)


_TEXT_ENV = _new_env(undefined=StrictUndefined)
_LAYOUT_ENV = _new_env(loader=FileSystemLoader(str(LAYOUT_DIR)), undefined=StrictUndefined, auto_reload=False)


@functools.lru_cache(maxsize=64)
def _compiled(text: str):
    return _TEXT_ENV.from_string(text)


def render_text(text: str, context: dict) -> Markup:
    """Render one admin text in the sandbox; raise ``TemplateTextError`` with a readable reason.

    The result keeps only formatting tags (``quiz.markup.INLINE_TAGS``): an
    admin may write <b> or <br>, never a script, a link or an image.
    """
    try:
        return sanitize_html(_compiled(text).render(**context), INLINE_TAGS)
    except TemplateError as exc:  # SecurityError and UndefinedError are TemplateErrors
        raise TemplateTextError(str(exc)) from exc
    except (TypeError, ValueError, LookupError, ArithmeticError) as exc:
        raise TemplateTextError(str(exc)) from exc


def check_text(text: str) -> str | None:
    """The reason ``text`` cannot be used as a certificate text, or None when it renders."""
    try:
        render_text(text, sample_context())
    except TemplateTextError as exc:
        return str(exc)
    return None


def sample_data(verify_url: str = "https://example.invalid/verify/SAMPLE0000AB") -> CertificateData:
    return CertificateData(name="张晓明", employee_no="100123", unit="氧化铝厂 / 矿制工区 / 磨工一班",
                           exam_title="二十大应知应会安全培训考试", score="92", max_score="100",
                           date="2026年3月5日", serial="2026-000123", code="SAMPLE0000AB", verify_url=verify_url)


def sample_context() -> dict:
    return _text_context(sample_data(), Look())


def _text_context(data: CertificateData, look: Look) -> dict:
    return {"name": data.name, "employee_no": data.employee_no, "unit": data.unit, "exam_title": data.exam_title,
            "score": data.score, "max_score": data.max_score, "date": data.date, "serial": data.serial,
            "org_name": look.org_name}


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as a PNG data URI, one pixel per module (the PDF scales it, crisp).

    The mask is fixed: segno's search for the best of eight masks costs more
    than the rest of the page, and any mask decodes.
    """
    qr = segno.make(url, error="m", mask=3, micro=False)
    return qr.png_data_uri(scale=1, border=4)


def safe_colour(value: str | None, default: str) -> str:
    """``#rrggbb`` or the default: a colour goes into a style block, so nothing else may."""
    return value if value and re.fullmatch(r"#[0-9a-fA-F]{6}", value) else default


def group_code(code: str) -> str:
    """ABCD-EFGH-JKLM: easier to read out and type."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _page_context(data: CertificateData, look: Look) -> dict:
    texts = _text_context(data, look)
    return {
        **{k: v for k, v in asdict(data).items() if k != "extra"},
        "code_grouped": group_code(data.code),
        "org_name": render_text(look.org_name, texts),
        "title": render_text(look.title, texts),
        "subtitle": render_text(look.subtitle, texts),
        "body": render_text(look.body, texts),
        "issuer": render_text(look.issuer, texts),
        "logo_uri": look.logo_uri,
        "signature_uri": look.signature_uri,
        "qr_uri": qr_data_uri(data.verify_url),
    }


def certificate_html(certificates: list[CertificateData], look: Look, for_screen: bool = False,
                     css_href: str = "") -> str:
    """The HTML of one or more certificates, one A4 landscape page each."""
    pages = [_page_context(data, look) for data in certificates]
    return _LAYOUT_ENV.get_template("certificate.html").render(
        pages=pages, primary=safe_colour(look.primary_color, Look.primary_color),
        accent=safe_colour(look.accent_color, Look.accent_color), for_screen=for_screen,
        css_href=css_href)


@functools.lru_cache(maxsize=1)
def certificate_css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def image_data_uri(data: bytes | None, mime: str | None) -> str:
    if not data or mime not in ("image/png", "image/jpeg"):
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
