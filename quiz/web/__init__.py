"""What every domain's pages share: error pages, idle sign-out, security
headers, template helpers, /healthz and the language switch."""
from __future__ import annotations

import time
from pathlib import Path

from flask import Flask, Response, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text

from quiz.auth.light import claim
from quiz.auth.redirects import safe_next
from quiz.extensions import db, no_rate_limit, view_marked
from quiz.i18n import local_time
from quiz.web.headers import add_security_headers

def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _error(status: int, title: str, message: str):
    if _wants_json():
        return jsonify(ok=False, error=message), status
    return render_template("web/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    from quiz.markup import render_markdown
    from quiz.web.nav import nav_items

    app.jinja_env.filters["localtime"] = local_time
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["nav_items"] = nav_items
    from flask_babel import get_locale

    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["current_app"] = app

    no_session = {"web.healthz", "static"}  # endpoints that never need the user or the session

    def checks_sign_in_itself() -> bool:  # quiz.auth.light: the view reads the person with its own data
        return view_marked("checks_sign_in_itself")

    @app.before_request
    def expire_idle_session():
        if request.endpoint in no_session:
            return None
        if not (claim() is not None if checks_sign_in_itself() else current_user.is_authenticated):
            return None
        now = int(time.time())
        seen = session.get("seen", now)
        started = session.get("auth_at", 0)
        too_old = now - started > app.config["SESSION_MAX_HOURS"] * 3600  # a busy copied cookie ends too
        if too_old or now - seen > app.config["IDLE_MINUTES"] * 60:
            logout_user()
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            if too_old:
                message = _("为了安全，登录满 %(hours)s 小时后需要重新登录，请重新登录。",
                            hours=f"{app.config['SESSION_MAX_HOURS']:g}")
                flag = {"expired": 1}
            else:
                message = _("长时间未操作，已自动退出，请重新登录。")
                flag = {"idle": 1}
            if _wants_json():
                return jsonify(ok=False, error=message, relogin=True), 401
            return redirect(url_for("auth.login", next=request.full_path, **flag))
        if now - seen > 30:  # do not rewrite the cookie on every answer save
            session["seen"] = now
        return None

    @app.before_request
    def force_password_change():
        if request.endpoint in no_session or checks_sign_in_itself() or not current_user.is_authenticated \
                or not current_user.must_change_password:
            return None
        allowed = {"auth.change_password", "auth.logout", "static", "web.healthz", "web.set_language"}
        if request.endpoint in allowed:
            return None
        if _wants_json():
            return jsonify(ok=False, error=_("请先修改初始密码。")), 403
        return redirect(url_for("auth.change_password"))

    @app.after_request
    def security_headers(response):
        add_security_headers(response, request.endpoint)  # CSP, nosniff, frame and referrer policy
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(400)
    def bad_request(exc):
        return _error(400, _("请求有误"), getattr(exc, "description", "") or _("请求的内容不完整，请返回重试。"))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _error(400, _("页面已过期"), _("页面已过期或来源不明，请刷新页面后重新提交。"))

    @app.errorhandler(403)
    def forbidden(exc):
        return _error(403, _("没有权限"), _("您没有查看此页面的权限。如需权限，请联系管理员。"))

    @app.errorhandler(404)
    def not_found(exc):
        return _error(404, _("页面不存在"), _("您要找的页面不存在，或您无权查看。"))

    @app.errorhandler(413)
    def too_large(exc):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _error(413, _("文件太大"), _("上传的文件超过 %(mb)s MB，请拆分后分批上传。", mb=limit))

    @app.errorhandler(429)
    def too_many(exc):
        return _error(429, _("操作太频繁"), _("操作太频繁，请稍等一分钟后再试。"))

    from flask import Blueprint

    bp = Blueprint("web", __name__)

    @bp.get("/healthz")
    @no_rate_limit
    def healthz():
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok")

    icon = (Path(app.static_folder) / "favicon.ico").read_bytes()  # 5 KB, read once: no file handle per request

    @bp.get("/favicon.ico")
    def favicon():
        """Browsers ask for /favicon.ico whatever the page links: the shipped icon, cached for a day."""
        response = Response(icon, mimetype="image/vnd.microsoft.icon")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    @bp.post("/lang")
    def set_language():
        lang = request.form.get("lang")
        if lang in app.config["LANGUAGES"]:
            session["lang"] = lang
            if current_user.is_authenticated:
                current_user.locale = lang
                db.session.commit()
        return redirect(safe_next(request.form.get("next"), url_for("org.home")))

    from quiz.web import wechat

    wechat.register(app, bp)  # downloads inside WeChat's browser: a guide instead of silence
    app.register_blueprint(bp)
