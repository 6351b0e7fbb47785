"""Sign in, sign out, change password."""
from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from quiz.auth import passwords, services
from quiz.auth.forms import ChangePasswordForm, LoginForm
from quiz.auth.models import SignInFailure
from quiz.auth.redirects import safe_next
from quiz.decorators import roles_required
from quiz.extensions import db, limiter

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("org.home"))


def _hours(value: float) -> str:
    return f"{value:g}"


def _address_limit() -> str:
    return current_app.config["LOGIN_RATE_PER_ADDRESS"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("org.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if request.args.get("idle"):
            flash(_("长时间未操作，已自动退出，请重新登录。"), "info")
        elif request.args.get("expired"):
            flash(_("为了安全，登录满 %(hours)s 小时后需要重新登录，请重新登录。",
                    hours=_hours(current_app.config["SESSION_MAX_HOURS"])), "info")
    if form.validate_on_submit():
        result = services.authenticate(form.employee_no.data, form.password.data, request.remote_addr or "")
        db.session.commit()
        if result.user is not None:
            session.clear()
            session.permanent = True
            login_user(result.user)
            now = int(time.time())
            session["seen"] = now
            session["auth_at"] = now  # the absolute lifetime counts from here, however busy the session
            session["sv"] = result.user.session_version
            if result.user.locale:
                session["lang"] = result.user.locale
            if result.user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(form.next.data))
        if result.error == "locked":
            form.password.errors.append(
                _("密码错误次数过多，此账号在本设备上已锁定，请 %(minutes)s 分钟后再试；"
                  "本人用自己的手机仍可登录，或联系管理员解除。", minutes=result.locked_minutes)
            )
        elif result.error == "slow":
            form.password.errors.append(_("尝试太频繁，请 %(seconds)s 秒后再试。", seconds=result.wait_seconds))
        elif result.error == "inactive":
            form.password.errors.append(_("该账号已停用，请联系管理员。"))
        else:
            form.password.errors.append(_("工号或密码不正确。"))
        status = 429 if result.error in ("locked", "slow") else 200
        return render_template("auth/login.html", form=form), status
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # every copy of this cookie (and this person's other devices) ends too
        services.end_sessions(current_user)
        db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:  # the language chosen on this phone outlives the sign-in
        session["lang"] = lang
    flash(_("已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not passwords.verify(current_user.password_hash, form.current.data):
            form.current.errors.append(_("当前密码不正确。"))
        elif form.new.data == form.current.data:
            form.new.errors.append(_("新密码不能与当前密码相同。"))
        else:
            problems = passwords.problems(form.new.data, current_user.employee_no)
            if problems:
                form.new.errors.extend(problems)
            else:
                services.change_password(current_user, form.new.data)
                db.session.commit()
                session["sv"] = current_user.session_version  # this session goes on; the others end
                flash(_("密码已修改。"), "success")
                return redirect(url_for("org.home"))
    return render_template("auth/change_password.html", form=form, forced=current_user.must_change_password)


@bp.get("/admin/sign-in-locks")
@roles_required("admin")
def locks():
    """Addresses blocked from a 工号 now, and accounts slowed by failures from many addresses."""
    return render_template("auth/locks.html", locks=services.current_locks(), slowed=services.slowed_accounts(),
                           form=FlaskForm())


@bp.post("/admin/sign-in-locks/<int:lock_id>/lift")
@roles_required("admin")
def lift_lock(lock_id: int):
    row = db.get_or_404(SignInFailure, lock_id)
    services.lift_lock(row)
    db.session.commit()
    flash(_("已解除 %(no)s 在 %(address)s 的登录锁定。", no=row.employee_no, address=row.address), "success")
    return redirect(url_for("auth.locks"))


@bp.post("/admin/sign-in-locks/account/<employee_no>/lift")
@roles_required("admin")
def lift_account(employee_no: str):
    count = services.clear_account(employee_no)
    if not count:
        abort(404)
    db.session.commit()
    flash(_("已清除 %(no)s 的全部登录失败记录。", no=employee_no), "success")
    return redirect(url_for("auth.locks"))
