"""What the request says about the browser that sent it, for any domain's
pages (below the domains; ``quiz/web/wechat.py`` builds the download guide on it)."""
from __future__ import annotations

from flask import request


def is_wechat() -> bool:
    """Is this request from WeChat's built-in browser?"""
    return "micromessenger" in (request.user_agent.string or "").lower()
