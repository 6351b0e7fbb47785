"""Forms of the sessions domain; every field labelled, Chinese first."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateTimeLocalField, FloatField, HiddenField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from quiz.forms import choices

KIND_CHOICES = [("special", _l("专项培训")), ("lecture", _l("宣讲")), ("class", _l("培训班")),
                ("makeup", _l("补课")), ("drill", _l("演练"))]
OUTSIDER_CHOICES = [("flag", _l("记录签到并标记为名单外，提醒培训员")), ("guest", _l("记录为旁听人员")),
                    ("refuse", _l("拒绝签到"))]
STATUS_CHOICES = [("present", _l("出勤")), ("late", _l("迟到")), ("absent", _l("缺勤")), ("excused", _l("请假"))]


def int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class SessionForm(FlaskForm):
    title = StringField(_l("培训名称"), validators=[DataRequired(_l("请输入培训名称。")), Length(max=200)])
    kind = SelectField(_l("培训类型"), choices=choices(KIND_CHOICES))
    topic = TextAreaField(_l("培训内容（可选）"), validators=[Optional(), Length(max=4000)])
    article_id = SelectField(_l("学习材料（可选）"), coerce=int_or_none, choices=[], validate_choice=False)
    starts_at = DateTimeLocalField(_l("开始时间"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(_l("请填写开始时间。"))])
    ends_at = DateTimeLocalField(_l("结束时间"), format="%Y-%m-%dT%H:%M",
                                 validators=[InputRequired(_l("请填写结束时间。"))])
    place = StringField(_l("地点"), validators=[Optional(), Length(max=200)])
    venues = TextAreaField(_l("会场（每行一个，第一行为主会场，其余为分会场；每个会场单独签到）"),
                           validators=[Optional(), Length(max=2000)])
    hours = FloatField(_l("学时"), default=1.0, validators=[InputRequired(_l("请填写学时。")),
                                                            NumberRange(min=0, max=100, message=_l("学时应在 0 到 100 之间。"))])
    lecturer = StringField(_l("授课人"), validators=[Optional(), Length(max=100)])
    unit_ids = SelectMultipleField(_l("参加单位（含下级单位）"), coerce=int, choices=[])
    job_type_ids = SelectMultipleField(_l("工种（同时选了单位时，只包括这些单位中的这些工种）"), coerce=int, choices=[])
    employee_nos = TextAreaField(_l("指定人员（工号，每行一个或用逗号分隔）"), validators=[Optional(), Length(max=20000)])
    opens_before = IntegerField(_l("开始前多少分钟开放签到"), default=30,
                                validators=[InputRequired(_l("请填写分钟数。")), NumberRange(min=0, max=1440)])
    closes_after = IntegerField(_l("开始后多少分钟停止签到"), default=30,
                                validators=[InputRequired(_l("请填写分钟数。")), NumberRange(min=0, max=1440)])
    late_after = IntegerField(_l("开始后多少分钟签到记为迟到"), default=5,
                              validators=[InputRequired(_l("请填写分钟数。")), NumberRange(min=0, max=1440)])
    outsiders = SelectField(_l("名单外人员签到时"), choices=choices(OUTSIDER_CHOICES))
    device_limit = IntegerField(_l("同一手机签到超过几人时提醒"), default=2,
                                validators=[InputRequired(_l("请填写人数。")), NumberRange(min=1, max=50)])
    sign_out = BooleanField(_l("结束时签退（按实际参加时间计学时）"))
    follow_up_exam_id = SelectField(_l("培训后测试（自动布置给签到的人，可选）"), coerce=int_or_none, choices=[],
                                    validate_choice=False)
    follow_up_days = IntegerField(_l("测试截止：培训结束后几天"), default=7, validators=[Optional()])


class RepeatForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("新的开始时间"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(_l("请填写开始时间。"))])
    unit_ids = SelectMultipleField(_l("参加单位（含下级单位）"), coerce=int, choices=[])
    job_type_ids = SelectMultipleField(_l("工种"), coerce=int, choices=[])
    employee_nos = TextAreaField(_l("指定人员（工号）"), validators=[Optional(), Length(max=20000)])


class CodeForm(FlaskForm):
    code = StringField(_l("签到码（6 位数字，见培训现场屏幕）"),
                       validators=[DataRequired(_l("请输入培训现场屏幕上的 6 位签到码。")), Length(max=20)])
    venue = HiddenField()


class MarkForm(FlaskForm):
    employee_no = StringField(_l("工号"), validators=[DataRequired(_l("请输入工号。")), Length(max=32)])
    status = SelectField(_l("出勤情况"), choices=choices(STATUS_CHOICES))
    venue_id = SelectField(_l("会场"), coerce=int_or_none, choices=[], validate_choice=False)
    reason = StringField(_l("原因"), validators=[DataRequired(_l("请填写原因（例如：忘带手机、迟到补签）。")),
                                                  Length(max=500)])


class SheetForm(FlaskForm):
    file = FileField(_l("纸质签到表（Excel .xlsx，第一列为工号）"))
    venue_id = SelectField(_l("会场"), coerce=int_or_none, choices=[], validate_choice=False)


class RequiredHoursForm(FlaskForm):
    unit_id = SelectField(_l("单位（含下级单位，可不选）"), coerce=int_or_none, choices=[], validate_choice=False)
    job_type_id = SelectField(_l("工种（可不选）"), coerce=int_or_none, choices=[], validate_choice=False)
    hours = FloatField(_l("每年应修学时（留空为删除这条规定）"), validators=[Optional(), NumberRange(min=0, max=1000)])


class YearForm(FlaskForm):
    class Meta:
        csrf = False

    year = IntegerField(_l("年度"), validators=[Optional()])
    unit = SelectField(_l("单位"), coerce=int_or_none, choices=[], validate_choice=False)
    below = BooleanField(_l("只看未达标的人"))

