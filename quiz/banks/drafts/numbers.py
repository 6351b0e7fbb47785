"""Numbers with units in Chinese text: finding them, their variants, near neighbours.

Pure functions. ``find_quantities`` picks out 至少30秒, 75%, 800余名, 四个阶段,
2023年2月20日; ``variants`` gives the spellings a fill-in answer accepts
(30秒, 30, 三十秒, 三十); ``near`` proposes wrong values of the same kind for
a choice question (10秒, 60秒 …), preferring values the article itself uses.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

CN_NUM = "零〇一二两三四五六七八九十百千万"
_CN_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}
UNITS = (
    "人次|场次|余人|余名|余场|余篇|余次|余项|万元|亿元|万吨|千瓦时|千瓦|千克|公斤|公里|小时|分钟|毫米|厘米|平方米|立方米|"
    "摄氏度|个月|周年|年度|"
    "秒|分|时|天|日|周|月|年|名|人|户|篇|场|次|项|条|件|台|套|家|所|个|种|批|期|版|岁|米|吨|伏|度|℃|%|％|倍|元|处|步|级|班|组|类|点"
)
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{CN_NUM}]{{1,6}})"
_QUANTITY = re.compile(
    rf"(?P<num>{_NUMBER})(?P<approx>余|多)?(?P<unit>{UNITS})"
)
_DATE = re.compile(r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日|底|初|中旬|下旬|上旬)?(?:至\d{1,2}日)?|\d{4}年")
# a Chinese numeral inside these words is not a quantity
_NOT_QUANTITY = re.compile(
    r"一些|一定|一般|一起|一直|一旦|一次性|一线|一体|一岗|一级|一人一锁|一律|一时|一边|一方面|一样|一致|一切|一项项|一轮|"
    r"万一|统一|唯一|十分|百分之百|第[一二三四五六七八九十]|[一二三四五六七八九十][要是抓把查看防]|一步|进一步|一段|一下|一同|一道|一名|一个|一种|一台"
)


@dataclass(frozen=True)
class Quantity:
    """A number with its unit as written, and where it is in the sentence."""

    text: str  # "30秒", "800余名", "75%", "2023年2月20日"
    start: int
    end: int
    value: float | None  # None for dates
    unit: str  # "秒", "名", "%", "date"
    approx: str = ""  # 余 / 多
    chinese: bool = False  # written in Chinese numerals
    number_text: str = ""  # "30", "800", "三十"

    @property
    def kind(self) -> str:
        return "date" if self.unit == "date" else "number"


def cn_to_int(text: str) -> int | None:
    """三十 -> 30, 两 -> 2, 一百二十 -> 120, 千 -> 1000; None when it is not a numeral."""
    if not text or any(ch not in CN_NUM for ch in text):
        return None
    if all(ch in _CN_VALUE for ch in text) and len(text) > 1:  # 二〇二三
        return int("".join(str(_CN_VALUE[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_VALUE:
            digit = _CN_VALUE[ch]
        else:
            unit = _CN_UNIT[ch]
            if unit == 10000:
                section = (section + (digit or 0)) * unit
                total += section
                section, digit = 0, None
                continue
            section += (digit if digit is not None else 1) * unit
            digit = None
    return total + section + (digit or 0)


def int_to_cn(n: int) -> str:
    """30 -> 三十, 120 -> 一百二十, 1400 -> 一千四百; numbers from 0 to 99,999."""
    if n == 0:
        return "零"
    if n < 0 or n >= 100000:
        return str(n)
    digits = "零一二三四五六七八九"
    units = ["", "十", "百", "千", "万"]
    out = ""
    s = str(n)
    zero = False
    for i, ch in enumerate(s):
        place = len(s) - i - 1
        d = int(ch)
        if d == 0:
            zero = True
            continue
        if zero and out:
            out += "零"
        zero = False
        out += digits[d] + units[place]
    if out.startswith("一十"):
        out = out[1:]
    return out


def _value(num: str) -> tuple[float | None, bool]:
    if re.fullmatch(r"\d+(?:\.\d+)?", num):
        return float(num), False
    v = cn_to_int(num)
    return (float(v) if v is not None else None), True


def find_quantities(text: str) -> list[Quantity]:
    """Dates and numbers with units in ``text``, left to right, not overlapping."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _DATE.finditer(text):
        if not re.search(r"\d", m.group(0)):
            continue
        found.append(Quantity(m.group(0), m.start(), m.end(), None, "date", number_text=m.group(0)))
        taken.append((m.start(), m.end()))
    blocked = [(m.start(), m.end()) for m in _NOT_QUANTITY.finditer(text)]
    for m in _QUANTITY.finditer(text):
        a, b = m.span()
        if any(a < y and x < b for x, y in taken):
            continue
        num = m.group("num")
        value, chinese = _value(num)
        if value is None:
            continue
        if chinese and (value == 1 or any(x <= a < y for x, y in blocked)):
            continue  # 一次, 一名 … read as "a", not as a count
        if chinese and m.group("unit") in ("分", "时", "点", "度", "方", "步", "级", "版", "期", "类", "组", "班"):
            continue  # 十分, 一时, 一点 … are words, not quantities
        if not chinese and a > 0 and (text[a - 1].isdigit() or text[a - 1] in ".-"):
            continue
        found.append(Quantity(m.group(0), a, b, value, m.group("unit"), m.group("approx") or "", chinese, num))
        taken.append((a, b))
    found.sort(key=lambda q: q.start)
    return found


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def variants(q: Quantity) -> list[str]:
    """What a fill-in answer accepts for ``q``: with and without the unit, Arabic and Chinese digits."""
    if q.kind == "date":
        return [q.text]
    out = [q.text]
    numbers = [q.number_text]
    if q.value is not None and float(q.value).is_integer():
        numbers += [_fmt(q.value), int_to_cn(int(q.value))]
        if q.value == 2:
            numbers.append("两")
    suffix = q.approx + q.unit
    for n in numbers:
        for candidate in (n + suffix, n + q.approx, n):
            if candidate and candidate not in out:
                out.append(candidate)
    if q.unit in ("%", "％"):
        for n in numbers[:2]:
            extra = f"百分之{int_to_cn(int(q.value))}" if q.value is not None and float(q.value).is_integer() else ""
            if extra and extra not in out:
                out.append(extra)
            if n + "%" not in out:
                out.append(n + "%")
    return out


def render(value: float, like: Quantity) -> str:
    """``value`` written the way ``like`` is written (Chinese or Arabic digits, 余, unit)."""
    number = int_to_cn(int(value)) if like.chinese and float(value).is_integer() else _fmt(value)
    return number + like.approx + like.unit


def _nice(value: float) -> float:
    """Round to two significant digits, so that near values look like real figures."""
    if value <= 0:
        return value
    magnitude = 10 ** max(int(math.floor(math.log10(value))) - 1, 0)
    return round(value / magnitude) * magnitude


def near(q: Quantity, siblings: list[Quantity], count: int = 3, salt: int = 0) -> list[str]:
    """``count`` wrong values of the same kind as ``q``: first other values with the
    same unit from the article (``siblings``), then numbers near ``q``'s value.

    Never the right value, never two the same, always with ``q``'s unit.
    """
    if q.kind == "date":
        return _near_dates(q, siblings, count)
    assert q.value is not None
    out: list[str] = []
    seen_values = {q.value}

    def add(value: float, text: str | None = None) -> None:
        if len(out) >= count or value in seen_values or value <= 0:
            return
        if q.unit in ("%", "％") and value > 100:
            return
        seen_values.add(value)
        out.append(text or render(value, q))

    for s in siblings:
        if s.kind == "number" and s.unit == q.unit and s.approx == q.approx and s.value is not None:
            add(s.value, render(s.value, q))
    v = q.value
    if q.unit in ("%", "％"):
        steps = [v - 10, v + 10, v - 20, v + 15, v - 5, v + 5]
    elif v <= 10 and float(v).is_integer():
        steps = [v + 1, v - 1, v + 2, v - 2, v * 2, v + 3]
    else:
        steps = [_nice(v * f) for f in (0.5, 2, 1.5, 0.75, 3, 0.25, 1.25)]
    rotation = salt % len(steps)
    for value in steps[rotation:] + steps[:rotation]:
        add(value)
    k = 4
    while len(out) < count and k < 40:  # tiny values: keep stepping up
        add(v + k)
        k += 1
    return out


def _near_dates(q: Quantity, siblings: list[Quantity], count: int) -> list[str]:
    out: list[str] = []
    shape = re.sub(r"\d+", "0", q.text)
    for s in siblings:
        if s.kind == "date" and s.text != q.text and re.sub(r"\d+", "0", s.text) == shape and s.text not in out:
            out.append(s.text)
            if len(out) == count:
                return out
    numbers = [int(n) for n in re.findall(r"\d+", q.text)]
    last = numbers[-1]
    for delta in (3, -3, 7, -7, 1, -1, 10, 2, -2):
        value = last + delta
        if value <= 0:
            continue
        if "日" in q.text and value > 28:
            continue
        if "月" in q.text and not q.text.endswith("日") and re.search(r"月[底初中上下]?旬?$", q.text) and value > 12:
            continue
        text = re.sub(r"(\d+)(?!.*\d)", str(value), q.text)
        if text != q.text and text not in out:
            out.append(text)
        if len(out) == count:
            break
    return out
