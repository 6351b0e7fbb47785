"""``N_`` marks a string for translation where it is defined, without
translating it there: a label kept in a table and translated with ``_()``
when shown, in the reader's language. ``pybabel extract -k N_`` finds it.

Times are stored in UTC and shown in the plants' zone, ``SHANGHAI``
(``local_time``, the ``localtime`` template filter)."""
from __future__ import annotations

from zoneinfo import ZoneInfo


def N_(message: str) -> str:
    return message


SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC timestamp as the plants read it (Asia/Shanghai)."""
    if value is None:
        return ""
    return value.astimezone(SHANGHAI).strftime(fmt)
