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


_DUMMY_SECRET = "not-a-real-password-0"
_dummies: dict[str, str] = {}


def _dummy_hash(method: str) -> str:
    if method not in _dummies:
        _dummies[method] = generate_password_hash(_DUMMY_SECRET, method=method)
    return _dummies[method]


def verify_with_equal_work(password_hash: str | None, password: str, method: str = "scrypt") -> bool:
    """Check ``password`` spending the same hashing work whatever the account.

    Sign-in must not tell by its time which 工号 exist, which are locked and
    which still have a cheap generated initial password: every call runs one
    hash of ``method`` (the expensive one people's own passwords use).
    With no hash (unknown 工号) a dummy is checked; a hash of another method
    is checked and then topped up with the dummy.
    """
    if not password_hash:
        check_password_hash(_dummy_hash(method), password)
        return False
    right = check_password_hash(password_hash, password)
    dummy = _dummy_hash(method)
    if password_hash.split("$", 1)[0] != dummy.split("$", 1)[0]:  # another method or cost: top it up
        check_password_hash(dummy, password)
    return right


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
