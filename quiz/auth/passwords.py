"""Password hashing and the initial passwords handed out on import.

People's own passwords use scrypt (Werkzeug's default, a memory-hard KDF).
A *generated* initial password is 12 random characters from a 32-letter
alphabet (60 bits): a slow KDF adds nothing against guessing that, so
it is stored as salted PBKDF2 with few rounds, which keeps a 20,000-person
import to seconds. It must be changed at first sign-in, and the new one is
hashed with scrypt.
"""
from __future__ import annotations

import secrets

from werkzeug.security import check_password_hash, generate_password_hash

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read off paper by workers
GENERATED_LENGTH = 12
_GENERATED_METHOD = "pbkdf2:sha256:100"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def hash_generated(password: str) -> str:
    """Hash a machine-generated high-entropy initial password (see module doc)."""
    return generate_password_hash(password, method=_GENERATED_METHOD)


def verify(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    return check_password_hash(password_hash, password)


def generate() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))


def problems(password: str, employee_no: str = "") -> list[str]:
    """What is wrong with a password a person chose (empty list: fine)."""
    from flask_babel import gettext as _

    found = []
    if len(password) < 8:
        found.append(_("密码至少需要 8 位。"))
    if password.isdigit() or password.isalpha():
        found.append(_("密码需同时包含字母和数字。"))
    if employee_no and employee_no in password:
        found.append(_("密码不能包含工号。"))
    return found
