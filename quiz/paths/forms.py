"""The trainer's forms: a path, a topic with its draw rules, an override,
a class held, a practical sign-off. Every field labelled."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from quiz.forms import choices
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional



class PathForm(FlaskForm):
    title = StringField(_l("路径名称"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])
    unit_id = SelectField(_l("适用单位"), coerce=int, validators=[InputRequired()])
    job_type_id = SelectField(_l("工种"), coerce=int, validators=[Optional()])
    gate = SelectField(_l("闸门"), choices=choices([("crew", _l("班组闸门：全员通过才进入下一课题")),
                                              ("personal", _l("个人闸门：本人通过即进入下一课题"))]))
    crew_level = SelectField(_l("班组按"), choices=choices([("team", _l("班组")), ("section", _l("工区"))]))
    remediation_required = BooleanField(_l("重考前必须完成补课"), default=True)
    retest_wait_minutes = IntegerField(_l("两次测试间隔（分钟）"), default=0, validators=[NumberRange(0, 10080)])
    stuck_days = IntegerField(_l("班组在一个课题上超过多少天算停滞"), default=14, validators=[NumberRange(1, 365)])
    practical_title = StringField(_l("实操考核"), validators=[Optional(), Length(max=200)])
    practical_description = TextAreaField(_l("实操考核说明"), validators=[Optional(), Length(max=2000)])


class DrawForm(Form):
    bank_id = SelectField(_l("题库"), coerce=int, validators=[Optional()])
    category = StringField(_l("知识点（分类）"), validators=[Optional(), Length(max=100)])
    count = IntegerField(_l("抽题数"), validators=[Optional(), NumberRange(0, 200)])


class TopicForm(FlaskForm):
    title = StringField(_l("课题名称"), validators=[DataRequired(), Length(max=200)])
    article_id = SelectField(_l("学习材料"), coerce=int, validators=[Optional()])
    section = StringField(_l("文章中的小节标题（可留空）"), validators=[Optional(), Length(max=200)])
    pass_percent = IntegerField(_l("及格线（%）"), default=80, validators=[NumberRange(1, 100)])
    time_limit_minutes = IntegerField(_l("限时（分钟）"), default=15, validators=[Optional(), NumberRange(1, 600)])
    draws = FieldList(FormField(DrawForm), min_entries=4, max_entries=10, label=_l("抽题规则（每个知识点一行）"))


class OverrideForm(FlaskForm):
    topic_no = IntegerField(_l("提前开放课题"), validators=[InputRequired(), NumberRange(2, 100)])
    unit_id = IntegerField(_l("班组"), validators=[Optional()])
    user_id = IntegerField(_l("人员"), validators=[Optional()])
    reason = TextAreaField(_l("原因"), validators=[DataRequired(), Length(max=1000)])


class LessonForm(FlaskForm):
    held_on = DateField(_l("日期"), validators=[InputRequired()])
    kind = SelectField(_l("类型"), choices=choices([("class", _l("授课")), ("makeup", _l("补课"))]))
    points = SelectMultipleField(_l("讲了哪些知识点"), choices=[], validate_choice=False,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    attendees = SelectMultipleField(_l("参加人员"), coerce=int, choices=[], validate_choice=False,
                                    widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    note = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])


class PracticalForm(FlaskForm):
    performed_on = DateField(_l("完成日期"), validators=[InputRequired()])
    note = TextAreaField(_l("签认说明"), validators=[Optional(), Length(max=2000)])
