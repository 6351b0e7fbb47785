"""Home page, units, people, roles, password resets and the audit log."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from quiz.auth import services as auth_services
from quiz.auth.scopes import scope_for
from quiz.decorators import roles_required
from quiz.extensions import db
from quiz.forms import choices
from quiz.org import services
from quiz.org.forms import PersonForm, ResetPasswordForm, UnitForm
from quiz.org.models import AuditLog, JobType, Unit, User
from quiz.org.signals import people_moved
from quiz.panels import panels_for

bp = Blueprint("org", __name__)

ROLE_LABELS = {"worker": _l("员工"), "trainer": _l("培训员"), "head": _l("部门负责人"), "admin": _l("管理员")}
PAGE_SIZE = 50


@bp.app_context_processor
def _labels():
    return {"ROLE_LABELS": ROLE_LABELS, "unit_label": services.unit_label}


def admin_panel(user) -> dict:
    active = db.session.scalar(select(func.count()).select_from(User).where(User.active)) or 0
    return {
        "units": db.session.scalar(select(func.count()).select_from(Unit)) or 0,
        "active": active,
        "inactive": (db.session.scalar(select(func.count()).select_from(User)) or 0) - active,
        "job_types": db.session.scalar(select(func.count()).select_from(JobType)) or 0,
        "recent": db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(5)).all(),
    }



@bp.get("/")
@login_required
def home():
    return render_template("org/home.html", panels=panels_for(current_user))


def _visible_units(scope) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(scope.unit_condition(Unit.path)).order_by(Unit.path)))


@bp.get("/org/units")
@roles_required("head", "admin")
def units():
    scope = scope_for(current_user)
    rows = _visible_units(scope)
    counts = dict(
        db.session.execute(
            select(User.unit_id, func.count()).where(User.active, User.unit_id.in_([u.id for u in rows]))
            .group_by(User.unit_id)
        ).all()
    ) if rows else {}
    return render_template("org/units.html", units=rows, counts=counts, editable=current_user.is_admin)


def _unit_choices(scope, blank: str | None = None) -> list[tuple[int, str]]:
    choices = [(0, blank)] if blank is not None else []
    for unit in _visible_units(scope):
        choices.append((unit.id, "　" * unit.depth + unit.name))
    return choices


@bp.route("/org/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/org/units/<int:unit_id>", methods=["GET", "POST"])
@roles_required("admin")
def unit_edit(unit_id: int | None):
    unit = db.get_or_404(Unit, unit_id) if unit_id else None
    form = UnitForm(obj=unit)
    form.parent_id.choices = choices(_unit_choices(scope_for(current_user), blank=_("（无，顶级单位）")))
    if request.method == "GET":
        form.parent_id.data = (unit.parent_id or 0) if unit else int(request.args.get("parent", 0))
    if form.validate_on_submit():
        parent = db.session.get(Unit, form.parent_id.data) if form.parent_id.data else None
        if unit is not None and parent is not None and parent.path.startswith(unit.path):
            form.parent_id.errors.append(_("不能把单位移到它自己的下级单位下面。"))
        else:
            if unit is None:
                unit = services.add_unit(form.name.data.strip(), parent, form.kind.data, form.code.data or None)
            else:
                services.edit_unit(unit, form.name.data.strip(), parent, form.kind.data, form.code.data or None)
            db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("org.units"))
    return render_template("org/unit_edit.html", form=form, unit=unit)


@bp.get("/org/people")
@roles_required("head", "admin")
def people():
    scope = scope_for(current_user)
    q = (request.args.get("q") or "").strip()
    unit_id = request.args.get("unit", type=int)
    page = max(request.args.get("page", 1, type=int), 1)
    query = scope.people().order_by(User.employee_no)
    if q:
        query = query.where(or_(User.employee_no.contains(q), User.name.contains(q)))
    if unit_id:
        unit = db.session.get(Unit, unit_id)
        if unit is None or not scope.can_see_unit(unit):
            abort(404)
        query = query.where(User.unit_id.in_(select(Unit.id).where(Unit.path.like(f"{unit.path}%"))))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template(
        "org/people.html", people=rows, q=q, unit_id=unit_id, page=page, total=total,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), units=_unit_choices(scope, blank=_("全部单位")),
        editable=current_user.is_admin,
    )


def _person_or_404(person_id: int) -> User:
    person = db.session.get(User, person_id)
    if person is None or not scope_for(current_user).can_see_person(person):
        abort(404)
    return person


@bp.get("/org/people/<int:person_id>")
@roles_required("head", "admin")
def person(person_id: int):
    person = _person_or_404(person_id)
    return render_template("org/person.html", person=person, reset_form=ResetPasswordForm(),
                           editable=current_user.is_admin)


@bp.route("/org/people/new", methods=["GET", "POST"], defaults={"person_id": None})
@bp.route("/org/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def person_edit(person_id: int | None):
    person = _person_or_404(person_id) if person_id else None
    scope = scope_for(current_user)
    form = PersonForm(obj=person)
    form.unit_id.choices = choices(_unit_choices(scope, blank=_("（未分配）")))
    form.roles.choices = choices((r, str(label)) for r, label in ROLE_LABELS.items() if r != "worker")
    form.head_unit_ids.choices = choices(_unit_choices(scope))
    if request.method == "GET" and person is not None:
        form.unit_id.data = person.unit_id or 0
        form.job_type.data = person.job_type.name if person.job_type else ""
        form.roles.data = sorted({g.role for g in person.grants})
        form.head_unit_ids.data = [g.unit_id for g in person.grants if g.role == "head"]
    new_password = None
    if form.validate_on_submit():
        employee_no = form.employee_no.data.strip()
        clash = db.session.scalar(select(User).where(User.employee_no == employee_no))
        if clash is not None and clash is not person:
            form.employee_no.errors.append(_("工号 %(no)s 已被 %(name)s 使用。", no=employee_no, name=clash.name))
        elif "head" in form.roles.data and not form.head_unit_ids.data:
            form.head_unit_ids.errors.append(_("部门负责人需要选择负责的单位。"))
        else:
            creating = person is None
            if creating:
                person = User(employee_no=employee_no, name=form.name.data.strip())
                db.session.add(person)
                new_password = auth_services.set_initial_password(person)
            before = services.person_snapshot(person) if not creating else {}
            placed = (person.unit_id, person.job_type_id)
            person.employee_no = employee_no
            person.name = form.name.data.strip()
            person.unit_id = form.unit_id.data or None
            person.job_type = services.ensure_job_type(form.job_type.data or "")
            person.phone = (form.phone.data or "").strip() or None
            if person.active and not form.active.data:
                auth_services.end_sessions(person)  # deactivated: signed out everywhere, for good
            person.active = form.active.data
            roles = {r: [None] for r in form.roles.data if r != "head"}
            if "head" in form.roles.data:
                roles["head"] = list(form.head_unit_ids.data)
            services.set_roles(person, roles)
            db.session.flush()
            if not creating and (person.unit_id, person.job_type_id) != placed:
                people_moved.send(None, user_ids=[person.id])  # the reports' summaries follow
            services.audit_person_saved(person, before, creating)
            db.session.commit()
            if new_password:
                return render_template("org/password_issued.html", person=person, password=new_password)
            flash(_("已保存。"), "success")
            return redirect(url_for("org.person", person_id=person.id))
    return render_template("org/person_edit.html", form=form, person=person)


@bp.post("/org/people/<int:person_id>/reset-password")
@roles_required("admin")
def reset_password(person_id: int):
    person = _person_or_404(person_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        for error in form.password.errors:
            flash(error, "error")
        return redirect(url_for("org.person", person_id=person.id))
    password = auth_services.reset_password(person, form.password.data or None)
    db.session.commit()
    return render_template("org/password_issued.html", person=person, password=password)


@bp.get("/org/audit")
@roles_required("admin")
def audit():
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db.session.scalars(
        select(AuditLog).order_by(AuditLog.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template("org/audit.html", entries=rows, page=page)


@bp.get("/org/job-types")
@roles_required("admin", "trainer")
def job_types():
    rows = db.session.scalars(select(JobType).order_by(JobType.name)).all()
    return render_template("org/job_types.html", job_types=rows)
