"""Helpers every format module shares: decoding, normalising, reading keys.

Pure functions. Anything that reads "what a trainer typed" goes through
``normalize`` first, so that full-width letters, U+3000, NBSP and look-alike
Kangxi radicals compare equal to what the trainer meant.
"""
from __future__ import annotations

import re
import unicodedata

# CJK Radicals Supplement code points that NFKC leaves alone but that PDF and
# OCR extraction put in place of ordinary characters (the Kangxi Radicals
# block U+2F00-2FDF is already folded by NFKC).
_RADICAL_SUPPLEMENT = {
    "\u2e8e": "兀", "\u2e8f": "尢", "\u2e90": "尣", "\u2e92": "巳", "\u2e93": "幺",
    "\u2e94": "彑", "\u2e95": "彐", "\u2e96": "忄", "\u2e97": "㣺", "\u2e98": "扌",
    "\u2e99": "攵", "\u2e9b": "旡", "\u2e9f": "母", "\u2ea0": "民", "\u2ea3": "灬",
    "\u2ea4": "爫", "\u2ea6": "丬", "\u2ea8": "犭", "\u2eab": "罒", "\u2eb3": "罓",
    "\u2eb7": "羊", "\u2ebb": "聿", "\u2ebc": "月", "\u2ebe": "艹", "\u2ec4": "西",
    "\u2ec6": "角", "\u2ec8": "讠", "\u2ecc": "辶", "\u2ecf": "阝", "\u2ed7": "雨",
    "\u2edd": "食", "\u2ede": "饣", "\u2ee2": "马", "\u2ee3": "骨", "\u2ee4": "鬼",
    "\u2ee5": "鱼", "\u2ee8": "麦", "\u2eea": "黾", "\u2eed": "齿", "\u2eef": "龙",
    "\u2ef3": "龟",
}
_RADICAL_TABLE = str.maketrans(_RADICAL_SUPPLEMENT)
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002-\u200a]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    Raises ``UnreadableFile`` when none of them fits (a binary file).
    """
    # imported here: the type registry imports this module while it loads
    from quiz.banks.types.base import UnreadableFile

    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "无法识别文件的文字编码：请另存为 UTF-8 或 GBK 编码的文本后重新上传。"
        ) from exc


def normalize(text: str) -> str:
    """NFKC plus the radical look-alikes, with runs of odd spaces folded to one.

    Line breaks are kept; leading and trailing spaces of the whole text are cut.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_RADICAL_TABLE)
    return _SPACES.sub(" ", _ZERO_WIDTH.sub("", text)).strip()


_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u201c\u201d\u2018\u2019"
_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_ASCII_PUNCT_NEAR_CJK = re.compile(
    rf"(?<=[{_CJK}])\s?([,:;?!()])|([,:;?!()])(?=\s?[{_CJK}])"
)


def display(text: str) -> str:
    """Give Chinese text back its full-width punctuation after ``normalize``.

    NFKC turns ``，：；？！（）`` into ASCII, which parsers want and workers
    should not see: ``下列说法正确的是( )?`` reads as ``下列说法正确的是（ ）？``.
    Only punctuation touching a Chinese character changes, so ``1,000``,
    ``A.B`` and English sentences stay as they were.
    """
    if not text:
        return text

    def full(match: re.Match) -> str:
        mark = match.group(1) or match.group(2)
        whole = match.group(0)
        return whole.replace(mark, _FULL[mark])

    previous = None
    while previous != text:  # "( )" needs two passes: "(" then ")" after it
        previous = text
        text = _ASCII_PUNCT_NEAR_CJK.sub(full, text)
    return text


def normalize_lines(text: str) -> list[str]:
    """Split text on any line ending (CRLF, CR, LF) and normalise each line."""
    return [normalize(line) for line in text.splitlines()]


_TRUE_WORDS = {"对", "正确", "√", "✔", "✓", "t", "true", "是", "yes", "y", "1", "a", "对的"}
_FALSE_WORDS = {"错", "错误", "×", "✗", "✘", "❌", "x", "f", "false", "否", "no", "n", "0", "b", "错的"}


def parse_truefalse(value: str) -> bool | None:
    """Read a true/false key as trainers write it; None when it is not one.

    Accepts 对/错, 正确/错误, √/×, ✔/❌, T/F, true/false, 1/0 and A/B (A = 正确),
    with or without brackets and a trailing full stop.
    """
    word = normalize(str(value)).strip(" ()（）[]【】。.").lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


_LETTERS = re.compile(r"^[A-Za-z](?:[\s,，、;；/]*[A-Za-z])*$")


def parse_letters(value: str, option_count: int | None = None) -> list[int] | None:
    """Read an answer key such as ``B``, ``A,C,D``, ``ACD``, ``Ｄ``, `` b `` to indices.

    Returns sorted unique 0-based indices, or None when ``value`` is not a
    letter key or names an option beyond ``option_count``.
    """
    text = normalize(str(value)).strip(" ()（）[]【】。.")
    if not text or not _LETTERS.match(text):
        return None
    indices = sorted({ord(ch.upper()) - ord("A") for ch in text if ch.isalpha()})
    if option_count is not None and indices and indices[-1] >= option_count:
        return None
    return indices


def letter(index: int) -> str:
    """0 -> 'A'."""
    return chr(ord("A") + index)


def accept(result, q, where: str) -> bool:
    """Add ``q`` to ``result`` if the type registry finds it valid; else record
    each problem as an error at ``where``. Returns whether it was added."""
    from quiz.banks.types import get  # imported here: the registry imports this module
    from quiz.banks.types.base import Issue

    problems = get(q.type).validate(q)
    if problems:
        result.errors.extend(Issue(where, p) for p in problems)
        return False
    result.questions.append(q)
    return True
