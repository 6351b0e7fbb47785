"""The line reader of the text template: lines into question blocks.

First of the two passes of ``text.parse_text``. ``_Reader`` walks the
NFKC-normalised lines once, as a small state machine (the current block and
what its last line was: stem, option, answer, explanation or meta), and
groups them into ``_Block`` objects, one per question: numbering, section
headings (一、单选题 …), options one per line, several on a line or glued to
the stem, answer and 解析 lines, meta lines, repeated page headers, leftover
Word numbering, and the key list at the end of a file (kept aside and
matched to the blocks by ``apply_keys``, see ``keys``).

Nothing here decides a question's type or answer: that is the second pass,
``text._finish``, which can only run once a key list has filled the blocks.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext

from quiz.banks.formats.text.keys import key_list_ahead, keys_on_line, match_keys
from quiz.banks.types.base import Issue
from quiz.banks.types.single import letter


# -- what a line can be (text is NFKC-normalised first: ．→. （→( ：→: ①→1)
_SECTION_WORDS = (
    ("multiple", ("多项选择", "多选", "不定项")),
    ("single", ("单项选择", "单选", "选择题")),
    ("truefalse", ("判断", "是非", "对错")),
    ("fill", ("填空",)),
    ("short", ("简答", "问答", "论述", "简述", "主观")),
)
_CN_NUM = "一二三四五六七八九十"
_HEADING = re.compile(
    r"^(?:题型\s*:\s*|(?:第?[" + _CN_NUM + r"]{1,3}|\d{1,2})\s*(?:部分|大题)?\s*[、.]?\s*)?"
    r"([\u4e00-\u9fff]{1,10}题)\s*(?:[(:\[【].*)?$"
)
_CHAPTER = re.compile(r"^第\s*[\d" + _CN_NUM + r"百]+\s*[讲章节课]\s*\S*.*$")
_NUMBER = re.compile(
    r"^(?:(?P<dot>\d{1,4})\s*[.、](?!\d)"
    r"|\((?P<paren>\d{1,4})\)\s*[、.]?"
    r"|(?P<rparen>\d{1,4})\)"
    r"|\((?P<cn>[" + _CN_NUM + r"]{1,3})\)\s*[、.]?"
    r"|(?P<broken>\d{1,4})(?=[(《\"“]\s*\.)"
    r")\s*(?P<rest>.*)$"
)
# "2154.30°的屋面…": a number glued to a stem that starts with a digit; taken
# as a question number only when it is the next number expected
_NUMBER_BEFORE_DIGIT = re.compile(r"^(\d{1,4})\.(\d.*)$")
_BROKEN_DOT = re.compile(r"^([(《\"“])\s*\.\s*")
_UNNUMBERED = re.compile(r"^(?:题目|题干|试题)\s*:\s*(.*)$")
_OPTION = re.compile(r"^(?:\((?P<p>[A-H])\)|(?P<l>[A-H])\s*[.、:)])\s*(?P<rest>.*)$")
_BARE_OPTION = re.compile(r"^(?P<l>[A-H])(?:\s+|(?=[^\x00-\x7f]))(?P<rest>\S.*)$")
_TF_OPTION = re.compile(r"^(?:true|false|t|f)\s*[.、:]\s*(正确|错误|对|错)$", re.I)
_ANSWER = re.compile(
    r"^(?:【\s*(?:参考|正确|标准)?答案\s*】|\[\s*(?:参考|正确|标准)?答案\s*\]"
    # "答案；C": a semicolon typed for the colon (full-width ；, which NFKC makes ";")
    r"|(?:正确|参考|标准)?答案\s*[:;]|(?:正确|参考|标准)答案(?=\s|$)|答案(?=\s+(?:[A-H]+|正确|错误|对|错)\s*$)"
    r"|【答】|答\s*:)\s*(?P<rest>.*)$"
)
_GLUED_ANSWER = re.compile(r"^(?P<head>.*?\S)\s*(?P<tail>(?:【(?:参考|正确)?答案】|(?:正确|参考|标准)?答案\s*:).*)$")
# OCR glues "正确答案 D" (no colon) onto the last option
_GLUED_OPTION_ANSWER = re.compile(r"^(?P<head>.*?\S)\s*(?P<tail>(?:正确|参考)答案(?:\s*[A-Ha-h])?\s*)$")
_BARE_KEY_HEADER = re.compile(r"^(?:【?(?:参考|正确|标准)?答案】?)\s*:?$")
_EXPLANATION = re.compile(r"^(?:【\s*(?:答案|试题)?解析\s*】|(?:答案|试题)?解析\s*:|【解析】)\s*(?P<rest>.*)$")
_META = re.compile(
    r"^(?P<key>难度系数|难度|分值|分数|得分|分类|类别|知识点|章节|标签|工种|岗位|出处|来源|原文"
    r"|关键词|得分点|命题单位|出题人|题号|题目ID)\s*:\s*(?P<rest>.*)$"
)
_TF_BRACKET = re.compile(r"^\(\s*(√|×|✓|✗|✔|✘|❌|x|X|正确|错误|对|错)\s*\)[.。]?$")
_LEFTOVER = re.compile(r"^((?:\d{1,4}\s*、\s*){3,})(.*)$")
_SEPARATOR = re.compile(r"^[-=_*#~·.]{4,}$")
_HEADING_POINTS = re.compile(r"每(?:小)?题\s*(\d+(?:\.\d+)?)\s*分")


def _where(line: int) -> str:
    return gettext("第 %(n)s 行", n=line)


_ORDINAL_HEAD = re.compile(r"^(?:题型\s*:|第?[" + _CN_NUM + r"]{1,3}\s*(?:部分|大题)?\s*[、.])")


def _heading(line: str):
    """A section heading: a known type word, or any ``…题`` after 一、 or 题型：."""
    m = _HEADING.match(line)
    if not m or len(line) > 40:
        return None
    if section_of(m.group(1)) is None and not _ORDINAL_HEAD.match(line):
        return None
    return m


def section_of(word: str) -> str | None:
    for name, words in _SECTION_WORDS:
        if any(w in word for w in words):
            return name
    return None


@dataclass
class _Block:
    line: int
    section: str | None  # a type name, or "?<heading>" for a type we do not have
    number: str | None = None
    style: str | None = None
    stem: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    option_lines: list[int] = field(default_factory=list)
    answer: str | None = None
    answer_line: int = 0
    explanation: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    tf_options: bool = False
    last: str = "stem"
    default_points: float | None = None
    category: str = ""


class _Reader:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.blocks: list[_Block] = []
        self.warnings: list[Issue] = []
        self.cur: _Block | None = None
        self.section: str | None = None
        self.section_points: float | None = None
        self.category = ""
        self.blank = False
        self.keys: list[tuple[int, str | None, str | None, str]] = []  # line, section, number, key
        self.key_mode = False
        self.key_section: str | None = None
        self.headers = self._page_headers()

    # -- pre-pass: page headers that repeat ---------------------------------
    def _page_headers(self) -> set[str]:
        counts = Counter(line for line in self.lines if len(line) >= 8)
        headers = set()
        for line, n in counts.items():
            if n < 10 or self._structural(line):
                continue
            headers.add(line)
        for line in sorted(headers, key=self.lines.index):
            first = self.lines.index(line) + 1
            self.warnings.append(Issue(
                _where(first),
                gettext("“%(text)s”重复出现 %(n)s 次，看起来是页眉或页脚，已忽略；若它是题目内容，请删除重复的行后重新上传。",
                        text=line[:40], n=counts[line]),
            ))
        return headers

    @staticmethod
    def _structural(line: str) -> bool:
        return bool(
            _NUMBER.match(line) or _OPTION.match(line) or _ANSWER.match(line) or _EXPLANATION.match(line)
            or _BARE_OPTION.match(line) or _META.match(line) or _heading(line) or _TF_OPTION.match(line) or _TF_BRACKET.match(line)
            or _SEPARATOR.match(line) or re.match(r"^[\u4e00-\u9fff]{2,6}:", line)
        )

    # -- the main pass -------------------------------------------------------
    def read(self) -> None:
        for i, line in enumerate(self.lines, 1):
            self.line(i, line)
        self.close()

    def close(self) -> None:
        if self.cur is not None:
            self.blocks.append(self.cur)
            self.cur = None

    def start(self, ln: int, number: str | None, style: str | None, rest: str) -> None:
        self.close()
        self.cur = _Block(line=ln, section=self.section, number=number, style=style,
                          default_points=self.section_points, category=self.category)
        self.blank = False
        if rest:
            self.stem_text(ln, rest)

    def stem_text(self, ln: int, text: str) -> None:
        """Stem text that may carry glued options and a glued answer."""
        cur = self.cur
        text, tail = self._split_glued_answer(text)
        a = re.search(r"(?<![A-Za-z0-9])(?:\(A\)|A[.、:)])", text)
        if a and re.search(r"(?<![A-Za-z0-9])(?:\(B\)|B[.、:)])", text[a.end():]):
            head = text[: a.start()].strip()
            if head:
                cur.stem.append(head)
            self.option_text(ln, text[a.start():], 0)
        elif text:
            cur.stem.append(text)
            cur.last = "stem"
        if tail:
            self.line(ln, tail)

    @staticmethod
    def _split_glued_answer(text: str, option: bool = False) -> tuple[str, str]:
        m = _GLUED_ANSWER.match(text) or (_GLUED_OPTION_ANSWER.match(text) if option else None)
        if m:
            return m.group("head"), m.group("tail")
        return text, ""

    def option_text(self, ln: int, text: str, first: int) -> None:
        """``text`` starts with the marker of option ``first``; may hold more."""
        cur = self.cur
        text, tail = self._split_glued_answer(text, option=True)
        m = _OPTION.match(text) or _BARE_OPTION.match(text)
        body = m.group("rest") if m else text
        idx = first
        pieces = []
        while True:
            nxt = letter(idx + 1)
            pat = re.compile(
                r"(?<![A-Za-z0-9])(?:\(" + nxt + r"\)|" + nxt + r"[.、:)])|(?<=\s)" + nxt + r"\s*(?=[^\x00-\x7f])"
            )
            found = pat.search(body) if idx + 1 < 8 else None
            if not found or not body[: found.start()].strip():
                pieces.append(body.strip())
                break
            pieces.append(body[: found.start()].strip())
            rest = body[found.start():]
            mm = _OPTION.match(rest) or _BARE_OPTION.match(rest)
            body = mm.group("rest") if mm else rest[1:]
            idx += 1
        for piece in pieces:
            cur.options.append(piece)
            cur.option_lines.append(ln)
        cur.last = "option"
        if tail:
            self.line(ln, tail)

    def line(self, ln: int, line: str) -> None:
        if not line or _SEPARATOR.match(line):
            self.blank = True
            return
        if line in self.headers:
            return
        if self.key_mode:
            self.key_line(ln, line)
            return
        cur = self.cur
        m = _LEFTOVER.match(line)
        if m:
            self.warnings.append(Issue(_where(ln), gettext(
                "这一行是 Word 自动编号留下的序号（%(text)s…），已忽略；请确认前后的题目完整。", text=m.group(1)[:20])))
            nums = re.findall(r"\d+", m.group(1))
            if m.group(2).strip():
                self.line(ln, f"{nums[-1]}、{m.group(2).strip()}")
            return
        m = _ANSWER.match(line)
        if m:
            rest = m.group("rest").strip()
            if _BARE_KEY_HEADER.match(line) and self._key_list_ahead(ln):
                self.close()
                self.key_mode = True
                return
            if cur is None:
                self.warnings.append(Issue(_where(ln), gettext("答案行前面没有题目，已忽略：请检查题号。")))
                return
            cur.answer = rest
            cur.answer_line = ln
            cur.last = "answer"
            self.blank = False
            return
        m = _EXPLANATION.match(line)
        if m and cur is not None:
            cur.explanation.append(m.group("rest").strip())
            cur.last = "explanation"
            self.blank = False
            return
        m = _META.match(line)
        if m:
            self.meta(ln, m.group("key"), m.group("rest").strip())
            return
        m = _heading(line)
        if m:
            self.close()
            word = m.group(1)
            self.section = section_of(word) or ("?" + word)
            pts = _HEADING_POINTS.search(line)
            self.section_points = float(pts.group(1)) if pts else None
            self.key_section = self.section
            return
        if _CHAPTER.match(line) and (cur is None or cur.answer is not None):
            self.close()
            self.category = line
            return
        m = _TF_BRACKET.match(line)
        if m and cur is not None and cur.answer is None:
            cur.answer = m.group(1)
            cur.answer_line = ln
            cur.last = "answer"
            return
        if _TF_OPTION.match(line) and cur is not None:
            cur.tf_options = True
            cur.last = "option"
            return
        m = _NUMBER.match(line)
        if not m and cur is not None and cur.number and cur.number.isdigit():
            d = _NUMBER_BEFORE_DIGIT.match(line)
            if d and int(d.group(1)) == int(cur.number) + 1 and (cur.answer is not None or cur.options):
                self.start(ln, d.group(1), "dot", d.group(2))
                return
        if m:
            style = next(k for k in ("dot", "paren", "rparen", "cn", "broken") if m.group(k))
            number = m.group(style)
            rest = m.group("rest").strip()
            if style == "broken":
                style = "dot"
                rest = _BROKEN_DOT.sub(lambda b: b.group(1), rest)
            if cur is not None and cur.style and style != cur.style and (
                    cur.last in ("answer", "explanation") or (cur.last == "stem" and not cur.options)):
                # "(1) …" inside a stem, an explanation or a reference answer
                self.continuation(ln, line)
                return
            self.start(ln, number, style, rest)
            return
        m = _UNNUMBERED.match(line)
        if m:
            self.start(ln, None, None, m.group(1).strip())
            return
        if cur is not None and cur.answer is None:
            m = _OPTION.match(line)
            expected = letter(len(cur.options))
            if m and (cur.stem or cur.options) and ord(m.group("l") or m.group("p")) - 65 >= len(cur.options):
                # letters lost by OCR are not invented: the option takes the next place
                self.option_text(ln, line, ord(m.group("l") or m.group("p")) - 65)
                return
            m = _BARE_OPTION.match(line)
            if m and m.group("l") == expected and (cur.stem or cur.options):
                self.option_text(ln, line, len(cur.options))
                return
        self.continuation(ln, line)

    def continuation(self, ln: int, line: str) -> None:
        cur = self.cur
        blank, self.blank = self.blank, False
        if cur is None:
            self.start(ln, None, None, line)  # dropped at the end if it is only a title
            return
        if cur.last in ("answer", "explanation", "meta") and blank:
            self.start(ln, None, None, line)
        elif cur.last == "answer":
            cur.answer += "\n" + line
        elif cur.last == "explanation":
            cur.explanation.append(line)
        elif cur.last == "option" and cur.options:
            if blank:
                self.start(ln, None, None, line)
            else:
                line, tail = self._split_glued_answer(line, option=True)
                cur.options[-1] = _join(cur.options[-1], line)
                if tail:
                    self.line(ln, tail)
        elif cur.last == "meta":
            self.start(ln, None, None, line)
        else:
            self.stem_text(ln, line)

    def meta(self, ln: int, key: str, value: str) -> None:
        cur = self.cur
        if key in ("分类", "类别", "知识点", "章节") and (cur is None or self.blank):
            self.close()
            self.category = value
            return
        if cur is None:
            return
        cur.meta.setdefault(key, (ln, value))
        cur.last = "meta"

    # -- key list at the end of the file (read and matched by ``keys``) -----------
    def _key_list_ahead(self, ln: int) -> bool:
        """A bare 参考答案 line: is a list of keys coming (rather than one key)?"""
        open_question = self.cur is not None and self.cur.answer is None
        return key_list_ahead([line for line in self.lines[ln: ln + 8] if line], open_question)

    def key_line(self, ln: int, line: str) -> None:
        m = _heading(line)
        if m:
            self.key_section = section_of(m.group(1)) or ("?" + m.group(1))
            return
        found = keys_on_line(line)
        if found is None:
            self.warnings.append(Issue(_where(ln), gettext(
                "答案表中这一行看不懂，已忽略：请写成“1.B 2.C”或每行一个答案。")))
            return
        self.keys.extend((ln, self.key_section, number, key) for number, key in found)

    def apply_keys(self) -> None:
        for ln, label in match_keys(self.blocks, self.keys):
            self.warnings.append(Issue(_where(ln), gettext(
                "答案表中的“%(key)s”找不到对应的题目，已忽略：请核对题号。", key=label)))


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b
