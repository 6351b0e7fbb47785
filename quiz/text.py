"""Reading what people typed or uploaded: decoding bytes and normalising text.

Shared below the domains (question banks and the roster both read trainers'
files). Pure functions; ``UnreadableFile`` is the one "this file cannot be
read at all" error, its text saying what to do.
"""
from __future__ import annotations

import re
import unicodedata


class UnreadableFile(Exception):
    """The file cannot be read at all (wrong kind, .doc, broken zip, zip bomb).

    ``str(exc)`` is a message for the user saying what to do.
    """


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
RADICAL_TABLE = str.maketrans(_RADICAL_SUPPLEMENT)
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002-\u200a]+")
ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    Raises ``UnreadableFile`` when none of them fits (a binary file).
    """
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


def fold(text) -> str:
    """How two answers are compared: ``normalize``, no spaces, case folded."""
    return re.sub(r"\s+", "", normalize(str(text or ""))).casefold()


def normalize(text: str) -> str:
    """NFKC plus the radical look-alikes, with runs of odd spaces folded to one.

    Line breaks are kept; leading and trailing spaces of the whole text are cut.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(RADICAL_TABLE)
    return _SPACES.sub(" ", ZERO_WIDTH.sub("", text)).strip()
