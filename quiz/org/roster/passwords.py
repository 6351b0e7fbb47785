"""The initial passwords of the people a roster import creates.

Generated (or the one the admin typed), hashed fast enough for 20,000 new
people at once, and handed out as an Excel sheet that the admin downloads
once. Kept apart from ``importing`` (which decides who is created,
changed or deactivated) because this is credential handling: the random
source, the hash methods and the sheet are what a security review reads.
"""
from __future__ import annotations

import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from flask_babel import gettext as _

from quiz.auth import passwords


class IssuedPassword(NamedTuple):
    employee_no: str
    name: str
    password: str
    unit: str


def _password_hashes(count: int, initial_password: str | None,
                     initial_hash: str | None = None) -> list[tuple[str, str]]:
    """(plain, hash) for ``count`` new people: one scrypt hash of the admin's
    password shared by all (or that hash, made when the file was uploaded, so
    the password itself never waits on disk: plain is then empty), or a
    generated password each, hashed with the cheap method meant for them, on
    every core (hashlib releases the GIL)."""
    if initial_hash:
        return [("", initial_hash)] * count
    if initial_password:
        hashed = passwords.hash_password(initial_password)
        return [(initial_password, hashed)] * count
    plain = _generate(count)
    workers = min(4, os.cpu_count() or 1)
    if count < 200 or workers == 1:
        return [(p, passwords.hash_generated(p)) for p in plain]
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda part: [passwords.hash_generated(p) for p in part],
                              [plain[i::workers] for i in range(workers)]))
    hashed = [None] * count
    for i, part in enumerate(parts):
        hashed[i::workers] = part
    return list(zip(plain, hashed))


def _generate(count: int) -> list[str]:
    """``count`` passwords like ``passwords.generate()`` (same alphabet and
    length), from one call to the OS's random source: 12 random bytes per
    password, each taken modulo 32, which is unbiased as 32 divides 256."""
    alphabet = passwords._ALPHABET
    length = passwords.GENERATED_LENGTH
    if len(alphabet) != 32:
        return [passwords.generate() for _ in range(count)]
    table = bytes.maketrans(bytes(range(256)), "".join(alphabet[b % 32] for b in range(256)).encode("ascii"))
    raw = secrets.token_bytes(count * length).translate(table).decode("ascii")
    return [raw[i:i + length] for i in range(0, count * length, length)]


def initial_passwords_xlsx(issued: list[IssuedPassword]) -> bytes:
    """The sheet of initial passwords handed out after an import:
    工号, 姓名, 单位, 初始密码 (工号 and passwords as text)."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    from quiz.spreadsheet import xlsx_row

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("初始密码")
    sheet.append([_("工号"), _("姓名"), _("单位"), _("初始密码")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for person in issued:
        sheet.append(xlsx_row(sheet, [person.employee_no, person.name, person.unit, person.password]))
    for column, width in zip("ABCD", (12, 10, 36, 16)):
        sheet.column_dimensions[column].width = width
        for cell in sheet[column][1:]:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
