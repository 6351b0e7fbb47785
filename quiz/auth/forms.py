from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    employee_no = StringField(_l("工号"), validators=[DataRequired(_l("请输入工号。")), Length(max=32)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码。"))])
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码。"))])
    new = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码。")), Length(max=128)])
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[DataRequired(_l("请再次输入新密码。")), EqualTo("new", _l("两次输入的新密码不一致。"))],
    )
