from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from quiz.certificates.document import check_text
from quiz.images import shrink_image

COLOUR = Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("颜色格式为 #RRGGBB，例如 #0d3b66。"))
MAX_IMAGE_BYTES = 2 * 1024 * 1024


def _sandboxed(form, field) -> None:
    problem = check_text(field.data or "")
    if problem:
        raise ValidationError(_l("这段文字无法生成证书：%(reason)s", reason=problem))


class TemplateForm(FlaskForm):
    org_name = StringField(_l("单位名称"), validators=[DataRequired(_l("请输入单位名称。")), Length(max=200), _sandboxed])
    title = StringField(_l("证书标题"), validators=[DataRequired(_l("请输入标题。")), Length(max=100), _sandboxed])
    subtitle = StringField(_l("副标题（可为英文）"), validators=[Optional(), Length(max=100), _sandboxed])
    body = TextAreaField(_l("正文"), validators=[DataRequired(_l("请输入正文。")), Length(max=2000), _sandboxed])
    issuer = StringField(_l("落款（发证单位）"), validators=[DataRequired(_l("请输入落款。")), Length(max=200), _sandboxed])
    primary_color = StringField(_l("主色"), validators=[DataRequired(), COLOUR])
    accent_color = StringField(_l("辅色"), validators=[DataRequired(), COLOUR])
    logo = FileField(_l("徽标图片（PNG/JPEG，不超过 2 MB）"))
    remove_logo = BooleanField(_l("删除徽标"))
    signature = FileField(_l("签章图片（PNG/JPEG，不超过 2 MB）"))
    remove_signature = BooleanField(_l("删除签章"))


class ReasonForm(FlaskForm):
    reason = StringField(_l("原因"), validators=[DataRequired(_l("请填写原因。")), Length(max=500)])


class VerifyForm(FlaskForm):
    serial = StringField(_l("证书编号"), validators=[DataRequired(_l("请输入证书编号。")), Length(max=20)])
    code = StringField(_l("验证码"), validators=[DataRequired(_l("请输入验证码。")), Length(max=40)])


def read_image(storage, max_size: tuple[int, int]) -> tuple[bytes, str] | None:
    """An uploaded PNG/JPEG, checked by decoding it and shrunk to ``max_size`` so PDFs stay small.

    Returns (bytes, mime) or None when nothing was uploaded; raises ValueError
    with a message for the person otherwise.
    """
    if storage is None or not getattr(storage, "filename", ""):
        return None
    data, mime, _size = shrink_image(storage.read(MAX_IMAGE_BYTES + 1), max_size, MAX_IMAGE_BYTES)
    return data, mime
