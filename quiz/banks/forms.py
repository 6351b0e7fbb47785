"""Trainer forms for banks, articles, questions and uploads; every field labelled."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, DecimalField, IntegerField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from quiz.banks import types as qtypes
from quiz.banks.types.base import QuestionData
from quiz.forms import choices
from quiz.text import normalize

LIST_SPLIT = re.compile(r"[、,，;；\n]+")


def split_list(text: str | None) -> list[str]:
    """``"a、b, c"`` -> ``["a", "b", "c"]`` (tags, job types, keywords)."""
    return [part.strip() for part in LIST_SPLIT.split(text or "") if part.strip()]


class BankForm(FlaskForm):
    title = StringField(_l("题库名称"), validators=[DataRequired(_l("请输入题库名称。")), Length(max=200)])
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=5000)])
    article_ids = SelectMultipleField(_l("依据的学习材料（可多选）"), coerce=int, choices=[])
    job_types = StringField(_l("适用工种（用“、”分隔；留空表示全员）"), validators=[Optional(), Length(max=500)])


class ArticleForm(FlaskForm):
    title = StringField(_l("标题"), validators=[DataRequired(_l("请输入标题。")), Length(max=200)])
    source = StringField(_l("出处（如《劲旅》总第2153期，第2版）"), validators=[Optional(), Length(max=200)])
    published_on = DateField(_l("日期"), validators=[Optional()])
    body = TextAreaField(_l("正文（段落之间空一行）"), validators=[DataRequired(_l("请输入正文。"))],
                         render_kw={"rows": 20})


class ArticleImageForm(FlaskForm):
    image = FileField(_l("图片（PNG 或 JPEG）"), validators=[FileRequired(_l("请选择一张图片。"))])


class QuestionForm(FlaskForm):
    type = SelectField(_l("题型"), choices=[])
    stem = TextAreaField(_l("题干（填空题用 ____ 表示空格）"), validators=[DataRequired(_l("请输入题干。"))],
                         render_kw={"rows": 3})
    options = TextAreaField(_l("选项（每行一个，不用写 A. B.）"), validators=[Optional()], render_kw={"rows": 5})
    answer = TextAreaField(
        _l("答案"), validators=[Optional()], render_kw={"rows": 2},
        description=_l("单选写一个字母，如 B；多选写 ACD；判断写 正确 或 错误；填空题多个空用“；”分隔，"
                       "同一空的多个可接受答案用“|”分隔；简答题写参考答案。"))
    keywords = StringField(_l("关键词（简答题，用“、”分隔）"), validators=[Optional(), Length(max=500)])
    explanation = TextAreaField(_l("解析"), validators=[Optional()], render_kw={"rows": 3})
    source_excerpt = TextAreaField(_l("原文出处（依据的文章语句）"), validators=[Optional()], render_kw={"rows": 2})
    category = StringField(_l("分类"), validators=[Optional(), Length(max=100)])
    tags = StringField(_l("标签（用“、”分隔）"), validators=[Optional(), Length(max=500)])
    difficulty = IntegerField(_l("难度（1–5）"), validators=[Optional(), NumberRange(1, 5, _l("难度须为 1 到 5。"))])
    points = DecimalField(_l("分值"), places=None,
                          validators=[Optional(), NumberRange(0, 1000, _l("分值须为 0 到 1000 之间的数。"))])
    job_types = StringField(_l("适用工种（用“、”分隔）"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = choices((t.name, str(t.label)) for t in qtypes.all_types())

    def fill_from(self, q: QuestionData) -> None:
        """Show a stored question in the form (GET)."""
        qtype = qtypes.get(q.type)
        self.type.data = q.type
        self.stem.data = q.stem
        self.options.data = "\n".join(q.options) if qtype.has_options else ""
        answer = q.answer
        if isinstance(answer, dict):  # a short answer's reference and keywords
            self.answer.data = answer.get("reference", "")
            self.keywords.data = "、".join(answer.get("keywords", []))
        else:
            self.answer.data = qtype.text_answer(q)
        self.explanation.data = q.explanation
        self.source_excerpt.data = q.source_excerpt
        self.category.data = q.category
        self.tags.data = "、".join(q.tags)
        self.difficulty.data = q.difficulty
        self.points.data = q.points
        self.job_types.data = "、".join(q.job_types)

    def to_data(self) -> tuple[QuestionData, list[str]]:
        """The typed question, and what is wrong with it (empty when valid).

        The answer text is read as the text template writes it, so a trainer
        types the same thing here as in an upload.
        """
        qtype = qtypes.get(self.type.data)
        options = [normalize(line) for line in (self.options.data or "").splitlines() if line.strip()] \
            if qtype.has_options else []
        stem = normalize(self.stem.data or "")
        data = QuestionData(
            type=qtype.name, stem=stem, options=options, explanation=(self.explanation.data or "").strip(),
            source_excerpt=(self.source_excerpt.data or "").strip(), category=(self.category.data or "").strip(),
            tags=split_list(self.tags.data), difficulty=self.difficulty.data,
            points=float(self.points.data) if self.points.data is not None else None,
            job_types=split_list(self.job_types.data),
        )
        problems = []
        data.answer, problem = qtype.answer_from_text(data, (self.answer.data or "").strip(),
                                                      split_list(self.keywords.data))
        if problem:
            problems.append(problem)
        else:
            problems.extend(qtypes.validate(data))
        return data, problems


class UploadForm(FlaskForm):
    file = FileField(_l("题库文件（.docx / .xlsx / .xls / .csv / .txt / GIFT / Moodle XML）"),
                     validators=[FileRequired(_l("请选择要上传的文件。"))])
    bank_id = SelectField(_l("导入到题库"), coerce=int, choices=[])
    new_title = StringField(_l("或新建题库，名称"), validators=[Optional(), Length(max=200)])
    format = SelectField(_l("文件格式"), choices=[], default="auto")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.format.choices = choices([("auto", _("自动识别")), ("text", _("中文文本模板（.txt）")),
                               ("docx", _("Word 模板（.docx）")), ("sheet", _("Excel / CSV")),
                               ("gift", "GIFT"), ("aiken", "Aiken"), ("moodlexml", "Moodle XML")])


class ConfirmForm(FlaskForm):
    valid_only = BooleanField(_l("只导入正确的题目（有错误的题目不导入，可下载后修改再上传）"))


class EmptyForm(FlaskForm):
    """A POST with its CSRF token and nothing else (archive, cancel)."""
