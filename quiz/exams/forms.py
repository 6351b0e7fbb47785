"""The trainer's forms: an exam and its draw rules, fixed questions,
assigning, per-person actions and grading. Every field labelled, Chinese
first (English through the catalogue)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, FieldList, FloatField, Form, FormField,
                     IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField)
from quiz.forms import choices  # noqa: F401  (re-exported for the trainer views)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


def int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)




MODE_CHOICES = [("exam", _l("考试（计入成绩）")), ("practice", _l("练习（即时反馈，不限次数，不计成绩）"))]
NAVIGATION_CHOICES = [("free", _l("自由作答：可跳题、可返回修改")), ("forward", _l("按顺序作答：不能返回上一题"))]
REVIEW_CHOICES = [
    ("final", _l("分数和错题；用完作答次数或考试结束后公布答案和解析（推荐）")),
    ("score", _l("只看分数")),
    ("wrong", _l("分数和哪些题错了")),
    ("full", _l("分数、错题、正确答案和解析（交卷后立即公布）")),
    ("after_close", _l("考试结束后才能查看答案")),
]
SCORE_CHOICES = [("best", _l("取最高分")), ("last", _l("取最后一次"))]
MULTIPLE_CHOICES = [("all_or_nothing", _l("全部选对才得分")),
                    ("partial", _l("少选按比例得分，错选不得分"))]
DIFFICULTY_CHOICES = [("", _l("不限难度"))] + [(str(d), str(d)) for d in range(1, 6)]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RuleForm(Form):
    """One draw rule: from which bank (narrowed by category, type, difficulty),
    how many questions, how many points each. A row with no bank is ignored."""

    bank_id = SelectField(_l("题库"), coerce=int_or_none, choices=[], validate_choice=False)
    category = StringField(_l("分类（可选）"), validators=[Optional(), Length(max=100)])
    type = SelectField(_l("题型"), choices=[], validate_choice=False)
    difficulty = SelectField(_l("难度"), choices=choices(DIFFICULTY_CHOICES), coerce=int_or_none, validate_choice=False)
    count = IntegerField(_l("抽题数量"), validators=[Optional(), NumberRange(min=1, max=500, message=_l("数量应在 1 到 500 之间。"))])
    points = FloatField(_l("每题分值"), validators=[Optional(), NumberRange(min=0.5, max=100, message=_l("分值应在 0.5 到 100 之间。"))])
    remove = BooleanField(_l("删除这条规则"))


class ExamForm(FlaskForm):
    title = StringField(_l("考试名称"), validators=[DataRequired(_l("请输入考试名称。")), Length(max=200)])
    description = TextAreaField(_l("考试说明（员工开考前可见）"), validators=[Optional(), Length(max=2000)])
    mode = SelectField(_l("类型"), choices=choices(MODE_CHOICES))
    article_id = SelectField(_l("考前学习材料"), coerce=int_or_none, choices=[], validate_choice=False)
    total = FloatField(_l("卷面总分（可选，填写后核对题目分值合计）"), validators=[Optional()])
    pass_mark = FloatField(_l("及格分"), default=60, validators=[InputRequired(_l("请输入及格分。")),
                                                              NumberRange(min=0, message=_l("及格分不能为负数。"))])
    time_limit_minutes = IntegerField(_l("考试时长（分钟，留空为不限时）"), validators=[Optional()])
    attempts_allowed = IntegerField(_l("允许作答次数（留空为不限次数）"), default=1, validators=[Optional()])
    wait_minutes = IntegerField(_l("两次作答之间至少间隔（分钟）"), default=0, validators=[Optional()])
    score_policy = SelectField(_l("多次作答时计分"), choices=choices(SCORE_CHOICES))
    opens_at = DateTimeLocalField(_l("开始时间（可选）"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("结束时间（可选）"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    shuffle_questions = BooleanField(_l("打乱题目顺序（每人不同）"))
    shuffle_options = BooleanField(_l("打乱选项顺序（每人不同）"))
    navigation = SelectField(_l("答题方式"), choices=choices(NAVIGATION_CHOICES))
    review = SelectField(_l("交卷后员工可以看到"), choices=choices(REVIEW_CHOICES), default="final")
    practice_open = BooleanField(_l("考试开放期间也允许员工练习本考试的题库（作答进行中始终不能练习）"))
    multiple_policy = SelectField(_l("多选题计分"), choices=choices(MULTIPLE_CHOICES))
    leave_limit = IntegerField(_l("切出页面超过几次自动交卷（留空为不限制）"), validators=[Optional()])
    rules = FieldList(FormField(RuleForm), label=_l("抽题规则"), min_entries=1)


class FixedItemsForm(FlaskForm):
    add_ids = MultiCheckboxField(_l("添加为固定题目"), coerce=int, choices=[], validate_choice=False)
    points = FloatField(_l("所选题目每题分值"), default=2,
                        validators=[Optional(), NumberRange(min=0.5, max=100, message=_l("分值应在 0.5 到 100 之间。"))])
    remove_ids = MultiCheckboxField(_l("移除所选固定题目"), coerce=int, choices=[], validate_choice=False)


class AssignForm(FlaskForm):
    title = StringField(_l("任务名称（可选，默认为考试名称）"), validators=[Optional(), Length(max=200)])
    unit_ids = MultiCheckboxField(_l("单位（含下级单位）"), coerce=int, choices=[])  # a tree: exams/_unit_picker.html
    job_type_ids = SelectMultipleField(_l("工种（同时选了单位时，只布置给这些单位中的这些工种）"), coerce=int, choices=[])
    employee_nos = TextAreaField(_l("指定人员（工号，每行一个或用逗号分隔）"), validators=[Optional(), Length(max=20000)])
    due_on = DateField(_l("截止日期"), validators=[Optional()])


class ExtraTimeForm(FlaskForm):
    minutes = IntegerField(_l("延长时间（分钟）"), default=10,
                           validators=[InputRequired(_l("请输入分钟数。")),
                                       NumberRange(min=1, max=600, message=_l("延长时间应在 1 到 600 分钟之间。"))])


class ButtonForm(FlaskForm):
    """Only the CSRF token: a button that does one thing (one more attempt, archive)."""


ExtraAttemptForm = ButtonForm


class ReopenForm(FlaskForm):
    minutes = IntegerField(_l("重新开放后的作答时间（分钟，留空按考试时长）"),
                           validators=[Optional(), NumberRange(min=1, max=600, message=_l("作答时间应在 1 到 600 分钟之间。"))])


class GradeForm(FlaskForm):
    score = FloatField(_l("得分"), validators=[InputRequired(_l("请输入得分。"))])
    comment = TextAreaField(_l("评语（可选，员工可见）"), validators=[Optional(), Length(max=2000)])
