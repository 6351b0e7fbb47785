"""GIFT (Moodle's text format), with ``$CATEGORY:`` categories.

Reads multichoice (one ``=`` or ``~%w%`` weights), true/false, short answer
(``{=a =b}``, becomes a fill-in with the blank where the braces stood) and
essay (``{}``, becomes short answer). Numerical (``{#…}``) and matching
(``->``) questions are reported as skipped with their line.

The platform's own fields that GIFT has no place for (difficulty, points,
tags, job types, source excerpt, a short answer's reference and keywords)
are written in a ``// @quiz {json}`` comment before the question; Moodle
ignores comments, and this module reads them back.
"""
from __future__ import annotations

import html
import json
import re

from flask_babel import gettext

from quiz.banks.formats.common import accept
from quiz.banks.types import get as get_type
from quiz.banks.types.base import Issue, NotExpressible, ParseResult, QuestionData, Skipped
from quiz.banks.types.fill import BLANK
from quiz.banks.types.short import make_answer
from quiz.banks.types.single import letter
from quiz.text import decode, normalize

NAME = "gift"
_SPECIAL = "~=#{}:\\"
_META = "// @quiz "


def _where(n: int) -> str:
    return gettext("第 %(n)s 行", n=n)


def escape(text: str) -> str:
    out = "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)
    return out.replace("\n", "\\n")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _find(text: str, chars: str, start: int = 0) -> int:
    """Index of the first unescaped char in ``chars`` at or after ``start``; -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in chars:
            return i
        i += 1
    return -1


def _clean(text: str) -> str:
    text = text.strip()
    fmt = re.match(r"^\[(html|markdown|plain|moodle)\]\s*", text)
    if fmt:
        text = text[fmt.end():]
    text = _unescape(text)
    if fmt and fmt.group(1) == "html":
        text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.I)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return "\n".join(normalize(line) for line in text.strip().split("\n")).strip()


def _records(text: str):
    """(first line, lines, meta) per question; comments and blank lines split."""
    lines = text.splitlines()
    buf, start, meta = [], 0, None
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith(_META.strip()):
            try:
                meta = json.loads(stripped[len(_META.strip()):])
            except ValueError:
                meta = None
            continue
        if stripped.startswith("//"):
            continue
        if stripped.startswith("$CATEGORY:"):
            if buf:
                yield start, buf, meta
                buf, meta = [], None
            yield n, [stripped], None
            continue
        if not stripped:
            if buf and _find("\n".join(buf), "{") >= 0 and _find("\n".join(buf), "}") >= 0:
                yield start, buf, meta
                buf, meta = [], None
            continue
        if not buf:
            start = n
        buf.append(line)
    if buf:
        yield start, buf, meta


def _mark_at(body: str, start: int) -> tuple[int, bool]:
    """The next answer mark at or after ``start`` and whether an ``=`` inside
    an answer's text was passed over on the way.

    Every unescaped ``~`` starts an answer, as in Moodle. An ``=`` starts one
    only at the beginning of the block or after white space: ``header=True``
    stays one answer (Moodle would cut it in two; GIFT wants ``\\=``).
    """
    inside = False
    i = _find(body, "=~", start)
    while i >= 0 and body[i] == "=" and body[:i].strip() and not body[i - 1].isspace():
        inside = True
        i = _find(body, "=~", i + 1)
    return i, inside


def _answers(body: str) -> tuple[list[tuple[str, float | None, str]], bool]:
    """``=a ~%50%b #fb`` to ([(mark, weight, text)], whether an ``=`` sat inside a text)."""
    out = []
    i, inside = _mark_at(body, 0)
    while i >= 0:
        j, more = _mark_at(body, i + 1)
        inside = inside or more
        token = body[i: j if j >= 0 else len(body)]
        mark, rest = token[0], token[1:]
        weight = None
        m = re.match(r"^\s*%(-?\d+(?:\.\d+)?)%", rest)
        if m:
            weight = float(m.group(1))
            rest = rest[m.end():]
        fb = _find(rest, "#")
        if fb >= 0:
            rest = rest[:fb]
        out.append((mark, weight, _clean(rest)))
        i = j
    return out, inside


def _weight(w: float | None) -> str:
    return f"{w:g}%"


def _choice(q: QuestionData, answers, where: str, result: ParseResult) -> bool:
    """Moodle's rule for a block with ``~``: one ``=`` answer makes a single
    choice (partial weights ``~%50%`` cannot be kept, a warning says so);
    weights alone make a multiple choice (the options with a positive weight
    are right). Returns False when the block cannot be a question here."""
    q.options = [a for _, _, a in answers]
    if any(mark == "=" for mark, _, _ in answers):
        right = [i for i, (mark, w, _) in enumerate(answers) if mark == "=" and (w is None or w >= 100)]
        if len(right) != 1:
            result.errors.append(Issue(where, gettext(
                "这道选择题有 %(n)s 个以 = 开头的满分答案：在 Moodle 里它是单选题，而本平台的单选题只有一个正确选项。"
                "请只保留一个 =；若要多选，请去掉 =，用 ~%%50%% 这样的权重标出每个正确选项。", n=len(right))))
            return False
        partial = [f"{letter(i)}（{_weight(w)}）" for i, (mark, w, _) in enumerate(answers)
                   if w is not None and 0 < w < 100]
        if partial:
            result.warnings.append(Issue(where, gettext(
                "按 Moodle 的规则这是单选题（有一个 = 答案）；本平台的单选题不给部分分，选项 %(options)s 的部分分已忽略，"
                "只有选项 %(right)s 得分。", options="、".join(partial), right=letter(right[0]))))
        q.type, q.answer = "single", right
        return True
    right = [i for i, (_, w, _) in enumerate(answers) if w is not None and w > 0]
    if not right:
        result.errors.append(Issue(where, gettext(
            "答案块里没有正确答案：单选题用 = 标出正确选项，多选题用 ~%%50%% 这样的正数权重标出每个正确选项。")))
        return False
    q.type, q.answer = ("multiple" if len(right) > 1 else "single"), right
    return True


def parse(data: bytes, filename: str = "") -> ParseResult:
    result = ParseResult(format=NAME)
    category = ""
    for line, rec, meta in _records(decode(data)):
        text = "\n".join(rec).strip()
        where = _where(line)
        if text.startswith("$CATEGORY:"):
            path = text[len("$CATEGORY:"):].strip()
            path = re.sub(r"^\$(?:course|system|module|cat\d*)\$/", "", path)
            path = re.sub(r"^top(?:/|$)", "", path)
            category = normalize(path)
            continue
        name = re.match(r"^::(.*?)::", text, re.S)
        if name:
            text = text[name.end():]
        open_ = _find(text, "{")
        close = _find(text, "}", open_ + 1) if open_ >= 0 else -1
        if open_ < 0 or close < 0:
            if _find(text, "{") >= 0:
                result.errors.append(Issue(where, gettext("答案块的花括号没有闭合：请检查 { 和 } 是否成对。")))
            else:
                result.warnings.append(Issue(where, gettext("这段文字没有答案块 {…}，按说明文字忽略。")))
            continue
        before, body, after = text[:open_], text[open_ + 1: close], text[close + 1:]
        general = ""
        g = body.find("####")
        if g >= 0:
            general = _clean(body[g + 4:])
            body = body[:g]
        stripped = body.strip()
        after_clean = _clean(after) if after.strip() not in ("", ".", '";') else ""
        q = QuestionData(type="", stem="", where=where, category=category, explanation=general)
        if stripped.startswith("#"):
            result.skipped.append(Skipped(where, gettext("数值题")))
            continue
        if "->" in stripped:
            result.skipped.append(Skipped(where, gettext("匹配题")))
            continue
        stem = _clean(before)
        tf = re.match(r"^(T|F|TRUE|FALSE)\s*(#.*)?$", stripped, re.S)
        if not stripped:
            q.type, q.stem = "short", _join(stem, after_clean)
            q.answer = make_answer()
        elif tf:
            q.type, q.stem, q.answer = "truefalse", _join(stem, after_clean), tf.group(1).startswith("T")
        else:
            answers, inside = _answers(body)
            if not answers:
                result.errors.append(Issue(where, gettext("答案块里没有以 = 或 ~ 开头的答案：请检查格式。")))
                continue
            if inside:
                result.warnings.append(Issue(where, gettext(
                    "答案文字中间的 = 已按文字处理（如 header=True）；GIFT 要求写成 \\=，否则 Moodle 会把它拆成两个答案。")))
            if all(mark == "=" for mark, _, _ in answers):
                full = [a for _, w, a in answers if a and (w is None or w >= 100)]
                dropped = [f"{a}（{_weight(w)}）" for _, w, a in answers if a and w is not None and w < 100]
                if dropped and full:
                    result.warnings.append(Issue(where, gettext(
                        "填空题不给部分分：部分分答案 %(answers)s 不算对，已忽略。", answers="、".join(dropped))))
                q.type = "fill"
                q.stem = stem + BLANK + (after_clean or "")
                q.answer = [full or [a for _, _, a in answers if a]]
            else:
                if not _choice(q, answers, where, result):
                    continue
                q.stem = _join(stem, after_clean, blank=True)
        if meta:
            _apply_meta(q, meta)
        accept(result, q, where)
    if not result.questions and not result.errors and not result.skipped:
        result.errors.append(Issue(gettext("整个文件"), gettext("没有找到 GIFT 格式的题目。")))
    return result


def _join(stem: str, after: str, blank: bool = False) -> str:
    if not after:
        return stem
    return stem + (BLANK if blank else "") + after


def _apply_meta(q: QuestionData, meta: dict) -> None:
    if not isinstance(meta, dict):
        return
    q.difficulty = meta.get("difficulty", q.difficulty)
    q.points = meta.get("points", q.points)
    q.tags = list(meta.get("tags", q.tags))
    q.job_types = list(meta.get("job_types", q.job_types))
    q.source_excerpt = meta.get("source_excerpt", q.source_excerpt)
    q.answer = get_type(q.type).answer_from_gift_meta(q.answer, meta)


def export(questions: list[QuestionData]) -> bytes:
    """GIFT text; a fill-in with more than one blank cannot be said in GIFT
    and is written as a comment saying so."""
    out: list[str] = []
    category = None
    for q in questions:
        if q.category != category:
            category = q.category
            out.append(f"$CATEGORY: $course$/top/{category}" if category else "$CATEGORY: $course$/top")
            out.append("")
        t = get_type(q.type)
        meta = {k: v for k, v in (("difficulty", q.difficulty), ("points", q.points), ("tags", q.tags),
                                  ("job_types", q.job_types), ("source_excerpt", q.source_excerpt)) if v}
        meta.update(t.gift_meta(q))
        if meta:
            out.append(_META + json.dumps(meta, ensure_ascii=False))
        general = ("####" + escape(q.explanation)) if q.explanation else ""
        try:
            out.append(t.gift_question(q, escape, general))
        except NotExpressible as exc:
            out.append("// " + str(exc))
            out.append("")
            continue
        out.append("")
    return "\n".join(out).encode("utf-8")
