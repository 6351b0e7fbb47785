"""Settings from the environment, with safe defaults.

Every setting can be given as an environment variable of the same name
(``DATABASE_URL``, ``SECRET_KEY``, ``RATELIMIT_STORAGE_URI`` …). With no
``SECRET_KEY`` a random one is generated once into ``instance/secret_key``.

Several app servers behind one proxy (README, "Production"): give every
server the same ``SECRET_KEY`` (sessions and CSRF tokens are signed with it;
each server would otherwise generate its own), the same ``DATABASE_URL``
(PostgreSQL), and ``RATELIMIT_STORAGE_URI=redis://host:6379/0`` so that the
per-address request limits count across servers (the default ``memory://``
counts per process). Everything else a request leaves for the next one
lives in the database (sign-in failures, uploads waiting for confirmation).
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two gunicorn workers starting together must agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_settings(instance_path: str, overrides: dict) -> dict:
    env = os.environ
    _private_dir(Path(instance_path))
    database_url = env.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'quiz.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    https = _bool(env.get("QUIZ_HTTPS"))
    settings = {
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # a server connection can drop (PostgreSQL restarted): test it on checkout; an SQLite file cannot,
        # and the test was one more statement on every request
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not database_url.startswith("sqlite")},
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        # what an uploaded .xlsx/.docx may unpack to, and how much of a sheet is read (quiz/archives.py)
        "MAX_UNPACKED_MB": int(env.get("MAX_UNPACKED_MB", "20")),
        "MAX_SHEET_ROWS": int(env.get("MAX_SHEET_ROWS", "100000")),
        "MAX_SHEET_CELLS": int(env.get("MAX_SHEET_CELLS", "500000")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=int(env.get("IDLE_MINUTES", "120"))),
        # the cookie is rewritten when the session changes (the idle timer's "seen" at most every
        # 30 s, see quiz/web), not re-signed and re-sent on every request
        "SESSION_REFRESH_EACH_REQUEST": False,
        "IDLE_MINUTES": int(env.get("IDLE_MINUTES", "120")),
        "SESSION_MAX_HOURS": float(env.get("SESSION_MAX_HOURS", "12")),  # from sign-in, however busy
        "WTF_CSRF_TIME_LIMIT": None,  # the session's idle limit bounds it
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        # a Redis that is down must not stop sign-in on exam day: count in the process until it is back
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": _bool(env.get("RATELIMIT_IN_MEMORY_FALLBACK"), True),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": False,
        # wrong passwords for one 工号 from one address: slowed after LOGIN_SLOW_AFTER (waits of
        # LOGIN_SLOW_SECONDS, doubling), blocked for LOGIN_LOCK_MINUTES at LOGIN_MAX_FAILURES;
        # other addresses are not affected
        "LOGIN_MAX_FAILURES": int(env.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": int(env.get("LOGIN_LOCK_MINUTES", "15")),
        "LOGIN_SLOW_AFTER": int(env.get("LOGIN_SLOW_AFTER", "3")),
        "LOGIN_SLOW_SECONDS": int(env.get("LOGIN_SLOW_SECONDS", "5")),
        "LOGIN_FAILURE_WINDOW_MINUTES": int(env.get("LOGIN_FAILURE_WINDOW_MINUTES", "60")),
        # the whole account, every address together: far higher, and it only slows, never locks
        "LOGIN_ACCOUNT_SLOW_AFTER": int(env.get("LOGIN_ACCOUNT_SLOW_AFTER", "50")),
        "LOGIN_ACCOUNT_DELAY_SECONDS": int(env.get("LOGIN_ACCOUNT_DELAY_SECONDS", "10")),
        # every refusal spends one hash of this method (unknown 工号, blocked, cheap initial hashes)
        "LOGIN_EQUAL_WORK_METHOD": env.get("LOGIN_EQUAL_WORK_METHOD", "scrypt"),
        "LOGIN_RATE_PER_ADDRESS": env.get("LOGIN_RATE_PER_ADDRESS", "30 per minute"),
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh", "en"],
        "ANSWER_GRACE_SECONDS": int(env.get("ANSWER_GRACE_SECONDS", "60")),
        "ORG_NAME": env.get("ORG_NAME", "中铝山西新材料有限公司"),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", ""),
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # optional: draft questions from an intranet language-model server (OpenAI chat-completions API)
        "DRAFTS_LLM_URL": env.get("DRAFTS_LLM_URL", ""),
        "DRAFTS_LLM_MODEL": env.get("DRAFTS_LLM_MODEL", "default"),
        "DRAFTS_LLM_KEY": env.get("DRAFTS_LLM_KEY", ""),
        "DRAFTS_LLM_TIMEOUT": float(env.get("DRAFTS_LLM_TIMEOUT", "60")),
    }
    settings.update(overrides)
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _secret_key(instance_path)
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
        _private_sqlite_file(settings["SQLALCHEMY_DATABASE_URI"])
    return settings


def _private_dir(path: Path) -> None:
    """The instance folder (database, secret key, uploads) readable by this account only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        try:
            path.chmod(0o700)
        except PermissionError:  # a folder someone else owns: leave it as the admin set it
            pass


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file 0600 before SQLite does (it would follow the umask:
    world-readable); SQLite gives its -wal and -shm files the same mode."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or ":memory:" in url:
        return
    path = Path(url[len(prefix):].split("?", 1)[0])
    if not path.name:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:
        pass
