"""The worker's side: scanning the QR code or typing the code, signing out,
upcoming sessions on the home page.

The QR code holds ``/s/<venue>?c=<code>``. Opening it records the
attendance at once (the scan is the action; the code, valid for 30 seconds
and unknown outside the room, does the work of a CSRF token). A worker not
yet signed in to the app is asked to sign in first: the code is checked at
the scan, and a signed pass in the return address (valid a few minutes,
for that phone only) carries that through the sign-in to the app.
"""
from __future__ import annotations

import secrets

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_limiter.util import get_remote_address
from itsdangerous import BadData, URLSafeTimedSerializer

from quiz.db import begin_write, utcnow
from quiz.extensions import db, limiter
from quiz.i18n import local_time
from quiz.sessions import codes, services, signin
from quiz.sessions.audience import upcoming_for
from quiz.sessions.forms import CodeForm
from quiz.sessions.models import SessionVenue, TrainingSession
from quiz.sessions.records import KIND_LABELS
from quiz.sessions.views import bp

DEVICE_COOKIE = "qd"
# a 6-digit code valid for 30 s: at 20 tries a minute, guessing one takes weeks
CODE_TRIES_PER_USER = "20 per minute"
CODE_TRIES_PER_ADDRESS = "600 per minute"  # not signed in yet: a plant's phones share one address
PENDING_SECONDS = 180  # a scan waits this long for the person to sign in to the app


def panel_context(user) -> dict:
    return {"upcoming": upcoming_for(user), "kind_labels": KIND_LABELS}



def _tries_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else f"addr:{get_remote_address()}"


def _tries_limit() -> str:
    return CODE_TRIES_PER_USER if current_user.is_authenticated else CODE_TRIES_PER_ADDRESS


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="session-scan")


def _device() -> tuple[str, bool]:
    """This phone's id (a long-lived random cookie) and whether it is new."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    if len(value) == 32 and value.isalnum():
        return value, False
    return secrets.token_hex(16), True


def _with_device(rv, device: str, new: bool):
    response = make_response(rv)
    if new:
        response.set_cookie(DEVICE_COOKIE, device, max_age=3 * 365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=request.is_secure)
    return response


MESSAGES = {
    "wrong_code": lambda r: _("签到码不正确：请核对培训现场屏幕上的 6 位数字，或重新扫描二维码。"),
    "other_session": lambda r: _("这是另一场培训（%(title)s）的签到码。请扫描您所在会场屏幕上的二维码。",
                                 title=r.other.title if r.other else ""),
    "expired": lambda r: _("签到码已过期：屏幕上的二维码每 15 秒更换一次，请重新扫描现场屏幕上的二维码。"),
    "not_open": lambda r: None,
    "closed": lambda r: _("签到已结束。如您参加了培训，请联系培训员补登记。"),
    "outsider": lambda r: _("您不在这次培训的名单中，不能签到。如有疑问，请联系培训员。"),
    "cancelled": lambda r: _("这次培训已取消。"),
}


def _message(result: signin.SignInResult, session: TrainingSession) -> str:
    if result.outcome == "not_open":
        opens = services.window_of(session).opens
        return _("签到尚未开始：%(time)s 起可以签到。", time=local_time(opens))
    return MESSAGES[result.outcome](result)


def _render(venue: SessionVenue, result: signin.SignInResult | None, form: CodeForm | None = None,
            status: int = 200):
    session = venue.session
    form = form or CodeForm(formdata=None, venue=str(venue.id))
    message = _message(result, session) if result is not None and not result.ok else None
    return render_template("sessions/checkin.html", venue=venue, s=session, result=result, message=message,
                           form=form, kind_labels=KIND_LABELS, window=services.window_of(session)), status


@bp.get("/s/<int:venue_id>")
@limiter.limit(_tries_limit, key_func=_tries_key)
def scan(venue_id: int):
    """What the QR code opens: sign in to the session (and to the app first if need be)."""
    locked = current_user.is_authenticated and bool(request.args.get("c") or request.args.get("p"))
    if locked:  # a sign-in: take the write lock before reading, so nothing read below is expired and read twice
        begin_write(db.session)
    venue = db.get_or_404(SessionVenue, venue_id)
    code = codes.normalise(request.args.get("c"))
    now = utcnow()
    device, new = _device()
    if not current_user.is_authenticated:
        if not code:
            return _with_device(redirect(url_for("auth.login", next=url_for(".scan", venue_id=venue.id))), device, new)
        refusal = signin.precheck(venue, code, now)
        if refusal is not None:
            return _with_device(_render(venue, refusal, status=409), device, new)
        # the code is checked now; the signed pass carries that through the sign-in to the app
        # (bound to this phone's device cookie: a forwarded link does not carry it)
        scan_pass = _serializer().dumps({"v": venue.id, "d": device})
        return _with_device(redirect(url_for("auth.login", next=url_for(".scan", venue_id=venue.id, p=scan_pass))),
                            device, new)
    checked = False
    if request.args.get("p"):
        try:
            scan_pass = _serializer().loads(request.args["p"], max_age=PENDING_SECONDS)
            checked = scan_pass.get("v") == venue.id and scan_pass.get("d") == device
        except BadData:
            checked = False
    if not code and not checked:
        return _with_device(_render(venue, None), device, new)
    result = signin.sign_in(venue, current_user, code, now=now, device=device, method="qr",
                              code_checked=checked and not code, locked=locked)
    page = _render(venue, result, status=200 if result.ok else 409)  # before the commit expires what it shows
    if result.outcome == "ok":
        db.session.commit()
    else:
        db.session.rollback()  # ends the write transaction
    return _with_device(page, device, new)


@bp.route("/checkin", methods=["GET", "POST"])
@login_required
@limiter.limit(_tries_limit, key_func=_tries_key, methods=["POST"])
def type_code():
    """For phones that can't scan: type the 6-digit code shown in the room."""
    form = CodeForm()
    device, new = _device()
    venue = None
    if request.method == "GET" and request.args.get("venue", "").isdigit():
        venue = db.session.get(SessionVenue, int(request.args["venue"]))
        form.venue.data = str(venue.id) if venue else ""
    if form.validate_on_submit():
        now = utcnow()
        code = codes.normalise(form.code.data)
        venue = db.session.get(SessionVenue, int(form.venue.data)) if (form.venue.data or "").isdigit() else None
        if venue is None:
            venue = signin.find_venue(code, now)
        if venue is None:
            expired = any(codes.check(v.secret, code, now) == "expired" for v in signin.open_venues(now))
            form.code.errors = list(form.code.errors) + [
                MESSAGES["expired" if expired else "wrong_code"](None) if len(code) == codes.DIGITS
                else _("签到码是 6 位数字，请核对后重新输入。")]
        else:
            result = signin.sign_in(venue, current_user, code, now=now, device=device, method="code")
            if result.outcome == "ok":
                db.session.commit()
            if result.ok:
                return _with_device(_render(venue, result), device, new)
            form.code.errors = list(form.code.errors) + [_message(result, venue.session)]
    page = render_template("sessions/type_code.html", form=form, venue=venue)
    return _with_device((page, 200 if request.method == "GET" else 422), device, new)


@bp.post("/sessions/<int:session_id>/sign-out")
@login_required
def sign_out(session_id: int):
    session = db.get_or_404(TrainingSession, session_id)
    if not session.sign_out:
        abort(404)
    attendance = signin.sign_out(session, current_user)
    if attendance is None:
        flash(_("您没有签到记录，不能签退。"), "error")
    else:
        db.session.commit()
        flash(_("已签退，计 %(hours)s 学时。", hours=f"{attendance.hours:g}"), "success")
    venue = attendance.venue if attendance is not None and attendance.venue else session.main_venue
    return redirect(url_for(".scan", venue_id=venue.id))
