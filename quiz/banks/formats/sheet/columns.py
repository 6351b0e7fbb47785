"""What the columns and the small cells of a question spreadsheet mean.

Pure functions: header names (Chinese and English, as other systems write
them) to fields, type names to the platform's type names, difficulty words to
1..5, option cells without their own ``A.`` prefix.
"""
from __future__ import annotations

import re

from quiz.banks import types as qtypes
from quiz.text import normalize

# Field names used for a header cell.
TYPE, STEM, ANSWER, EXPLANATION = "type", "stem", "answer", "explanation"
POINTS, DIFFICULTY, CATEGORY, TAGS = "points", "difficulty", "category", "tags"
JOB_TYPES, SOURCE, OPTIONS_JSON, OPTIONS_JOINED = "job_types", "source", "options_json", "options_joined"
IGNORED = "ignored"
OPTION = "option"  # with an index: ("option", 0) for A

_NAMES = {
    TYPE: "题型 类型 题目类型 试题类型 题型名称 类别 type questiontype qtype 题类",
    STEM: "题目 题干 问题 问题内容 题目内容 试题内容 试题 题目名称 内容 content question "
          "questioncontent questiontext stem title 题目标题",
    ANSWER: "正确答案 答案 正确选项 标准答案 参考答案 答案选项 answer answers questionanswer "
            "correctanswer key 正确答案选项",
    EXPLANATION: "答案解析 解析 试题解析 题目解析 解释 说明 explanation explain questionexplain "
                 "analysis 答案说明",
    POINTS: "分值 分数 得分 题目分值 points point score 分",
    DIFFICULTY: "难度 难度系数 难易度 难易程度 difficulty level",
    CATEGORY: "分类 章节 知识点 题目分类 所属分类 类目 category topic chapter section 科目",
    TAGS: "标签 tags tag 关键字标签",
    JOB_TYPES: "工种 适用工种 岗位 jobtypes jobtype job jobs",
    SOURCE: "原文 出处 原文出处 来源 依据 原文依据 source sourceexcerpt excerpt reference",
    OPTIONS_JSON: "optioncontent optionsjson",
    OPTIONS_JOINED: "选项 选项内容 所有选项 options option choices",
    IGNORED: "序号 题号 编号 目录 id no xuhao number 备注 状态",
}
HEADER_WORDS = {
    word: fieldname for fieldname, words in _NAMES.items() for word in words.split()
}

_OPTION_PATTERNS = [
    re.compile(r"^(?:选项|option|答案|choice)?([a-j])(?:选项|项|项目|option)?$"),
    re.compile(r"^(?:选项|option|choice)(10|[1-9])$"),
]
_HEADER_NOISE = re.compile(r"[(（\[【<《].*?[)）\]】>》]|[\s_*:：\-#]")


def header_key(text: str) -> str:
    """Header cell text reduced for lookup: no spaces, marks or remarks in brackets."""
    key = normalize(text).lower()
    key = _HEADER_NOISE.sub("", key)
    return key


def header_field(text: str):
    """Field for a header cell, ``("option", i)`` for an option column, or None."""
    key = header_key(text)
    if not key:
        return None
    if key in HEADER_WORDS:
        return HEADER_WORDS[key]
    for pattern in _OPTION_PATTERNS:
        match = pattern.match(key)
        if match:
            token = match.group(1)
            index = int(token) - 1 if token.isdigit() else ord(token) - ord("a")
            return (OPTION, index)
    return None


def map_header(cells: list[str]) -> dict[int, object] | None:
    """Column index -> field when ``cells`` look like a header row, else None.

    A header names the stem and at least one of answer / type / options, and
    most of its non-empty cells are known column names.
    """
    mapping: dict[int, object] = {}
    filled = 0
    unknown = 0
    for col, text in enumerate(cells):
        if not text.strip():
            continue
        filled += 1
        if len(text) > 30:
            return None
        found = header_field(text)
        if found is None:
            unknown += 1
            continue
        if found in mapping.values() and found != IGNORED:
            continue  # a repeated name: the first one wins
        mapping[col] = found
    fields = set(mapping.values())
    has_options = any(isinstance(f, tuple) for f in fields) or fields & {OPTIONS_JSON, OPTIONS_JOINED}
    if STEM not in fields or not (fields & {ANSWER, TYPE} or has_options):
        return None
    if unknown * 2 > filled:
        return None
    return mapping


# -- type names --------------------------------------------------------------

# The words of the platform's types are the registry's (name, title, sheet_words);
# these are types other systems have and the platform does not.
UNSUPPORTED_WORDS = (
    "匹配 匹配题 连线 连线题 排序 排序题 计算 计算题 案例 案例题 案例分析 案例分析题 改错 改错题 "
    "阅读理解 完形填空 组合题 matching ordering numerical calculation cloze"
)
_UNSUPPORTED = set(UNSUPPORTED_WORDS.split())


def _type_key(text: str) -> str:
    return re.sub(r"[\s_\-]", "", normalize(text).lower())


def type_from_name(text: str) -> tuple[str | None, bool]:
    """``(type, unsupported)`` for a written type name; ``(None, False)`` if unknown."""
    key = re.sub(r"^[一二三四五六七八九十\d]+[、.．]", "", _type_key(text))
    for qtype in qtypes.all_types():
        if key in {_type_key(w) for w in (qtype.name, qtype.title, *qtype.sheet_words)}:
            return qtype.name, False
    if key in _UNSUPPORTED:
        return None, True
    return None, False


# -- small cells -------------------------------------------------------------

_DIFFICULTY_WORDS = {
    "很简单": 1, "非常简单": 1, "简单": 1, "容易": 1, "易": 1, "easy": 1,
    "较易": 2, "较简单": 2, "较容易": 2,
    "中等": 3, "一般": 3, "适中": 3, "中": 3, "普通": 3, "medium": 3, "normal": 3,
    "较难": 4, "较困难": 4,
    "困难": 5, "难": 5, "很难": 5, "非常难": 5, "hard": 5, "difficult": 5,
}


def parse_difficulty(text: str) -> int | None | str:
    """1..5 from ``3``, ``3.0``, ``中等``, ``hard``; ``""`` when blank; ``"bad"`` otherwise."""
    word = normalize(text).lower().rstrip("级星")
    if not word:
        return ""
    if word in _DIFFICULTY_WORDS:
        return _DIFFICULTY_WORDS[word]
    try:
        number = float(word)
    except ValueError:
        return "bad"
    if number.is_integer() and 1 <= number <= 5:
        return int(number)
    return "bad"


def parse_points(text: str) -> float | None | str:
    """Points from ``8``, ``2.5``, ``8分``; ``""`` when blank; ``"bad"`` otherwise."""
    word = normalize(text).lower().removesuffix("分").removesuffix("points").strip()
    if not word:
        return ""
    try:
        number = float(word)
    except ValueError:
        return "bad"
    if not 0 <= number <= 1000 or number != number:
        return "bad"
    return number


_LIST_SPLIT = re.compile(r"[,，、;；|/\n]+")


def split_list(text: str) -> list[str]:
    """Tags / job types: ``a、b，c`` -> ``["a", "b", "c"]`` without blanks or repeats."""
    seen: list[str] = []
    for part in _LIST_SPLIT.split(normalize(text)):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


_OPTION_PREFIX = re.compile(r"^[(（]?([A-Ja-j])[)）]?\s*[.．、:：)）]\s*")
_BARE_PREFIX = re.compile(r"^([A-J])(?![A-Za-z0-9])\s*")


def strip_option_prefixes(options: list[str]) -> list[str]:
    """Remove ``A.`` ``A、`` ``A．`` ``(A)`` prefixes an option repeats from its column.

    A prefix goes only when its letter is the option's own letter; a bare
    ``A`` with no punctuation goes only when every option of the row starts
    with its own letter, so ``ABS塑料`` alone in column A is left alone.
    """
    def own(index: int, text: str, pattern) -> re.Match | None:
        match = pattern.match(text)
        if match and match.group(1).upper() == chr(65 + index) and match.end() < len(text):
            return match
        return None

    filled = [(i, t) for i, t in enumerate(options) if t]
    bare_ok = len(filled) >= 2 and all(
        own(i, t, _OPTION_PREFIX) or own(i, t, _BARE_PREFIX) for i, t in filled
    )
    out = []
    for index, text in enumerate(options):
        match = own(index, text, _OPTION_PREFIX) or (bare_ok and own(index, text, _BARE_PREFIX))
        out.append(text[match.end():].strip() if match else text)
    return out


_JOINED_SPLIT = re.compile(r"\n+|\s*[|&]\s*|\s*[;；]\s*")
_INLINE_LETTERS = re.compile(r"(?:^|\s)[(（]?([A-H])[)）]?\s*[.．、:：)）]")


def split_joined_options(text: str) -> list[str]:
    """One cell holding every option: ``A.x B.y`` / lines / ``x|y`` / ``x;y``."""
    text = normalize(text)
    if not text:
        return []
    starts = [m for m in _INLINE_LETTERS.finditer(text)]
    letters = [m.group(1) for m in starts]
    if len(starts) >= 2 and letters == [chr(65 + i) for i in range(len(letters))]:
        parts = []
        for i, match in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            parts.append(text[match.start():end].strip())
        return strip_option_prefixes(parts)
    parts = [p.strip() for p in _JOINED_SPLIT.split(text) if p.strip()]
    return strip_option_prefixes(parts)


_STEM_NUMBER = re.compile(r"^\s*[(（]?\d{1,4}[)）]?\s*[.．、]\s*(?=\D)")


def clean_stem(text: str) -> str:
    """Normalise a stem and drop leftover numbering such as ``12.`` or ``27、``."""
    text = normalize(text)
    stripped = _STEM_NUMBER.sub("", text, count=1)
    return stripped if stripped.strip() else text
