from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from quiz.org.models import UNIT_KINDS

UNIT_KIND_LABELS = {"company": _l("公司"), "unit": _l("二级单位"), "section": _l("工区"), "team": _l("班组"),
                    "other": _l("其他")}
from quiz.forms import choices


class UnitForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(_l("请输入名称。")), Length(max=100)])
    kind = SelectField(_l("层级"), choices=choices((k, UNIT_KIND_LABELS[k]) for k in UNIT_KINDS))
    code = StringField(_l("编码"), validators=[Optional(), Length(max=40)])
    parent_id = SelectField(_l("上级单位"), coerce=int, choices=[])


class PersonForm(FlaskForm):
    employee_no = StringField(
        _l("工号"),
        validators=[DataRequired(_l("请输入工号。")), Length(max=32),
                    Regexp(r"^[0-9A-Za-z_-]+$", message=_l("工号只能包含数字、字母、短横线和下划线。"))],
    )
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=60)])
    unit_id = SelectField(_l("单位"), coerce=int, choices=[])
    job_type = StringField(_l("工种"), validators=[Optional(), Length(max=60)])
    phone = StringField(_l("手机号"), validators=[Optional(), Length(max=30)])
    active = BooleanField(_l("在岗（可登录）"), default=True)
    roles = SelectMultipleField(_l("角色"), choices=[])
    head_unit_ids = SelectMultipleField(_l("负责的单位（部门负责人）"), coerce=int, choices=[])


class ResetPasswordForm(FlaskForm):
    password = StringField(_l("新的初始密码（留空则自动生成）"), validators=[Optional(), Length(min=8, max=64)])


class RosterImportForm(FlaskForm):
    file = FileField(_l("花名册文件（.xlsx / .csv）"), validators=[FileRequired(_l("请选择要上传的文件。"))])
    initial_password = StringField(_l("统一初始密码（留空则为每人自动生成）"), validators=[Optional(), Length(min=8, max=64)])
    valid_only = BooleanField(_l("只导入没有问题的行"))
    deactivate_missing = BooleanField(_l("停用花名册中没有的人员"))
    create_units = BooleanField(_l("创建花名册中新出现的单位"))
