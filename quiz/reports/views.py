"""Report pages and exports. Heads see their subtrees, trainers theirs (or all),
admins everything; workers get 403. Objects outside the viewer's scope are
404, whatever the id; filters are silently limited to the scope (the
queries intersect them with it)."""
from __future__ import annotations

import io
from datetime import datetime

from flask import Blueprint, Response, abort, render_template, request, send_file, stream_with_context, \
    url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quiz.auth.scopes import scope_for
from quiz.decorators import roles_required
from quiz.exams.assignments.assignees import assignee_pairs
from quiz.exams.attempt.answers import TIME_CAP_MS
from quiz.extensions import db
from quiz.i18n import SHANGHAI
from quiz.org.models import Unit, User
from quiz.reports import charts, exports, item_analysis
from quiz.reports.item_stats import FLAG_LABELS, MIN_RESPONSES
from quiz.reports.filters import Filters, job_type_choices
from quiz.reports.report import Report

bp = Blueprint("reports", __name__, url_prefix="/reports")

VIEWERS = ("head", "trainer")


@bp.app_template_filter("pct")
def _pct(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _report(filters: Filters | None = None) -> Report:
    show_phone = current_user.has_role("head", "admin")
    return Report(scope_for(current_user, "view"), filters if filters is not None else Filters.from_args(request.args),
                  show_phone=show_phone)


def covers(report: Report) -> str:
    """What the report's charts count: the one assignment, or all of them added up (said so)."""
    shown = report.visible_assignments
    if len(shown) == 1:
        return _("考试任务：%(title)s", title=shown[0].title)
    if not shown:
        return ""
    return _("全部 %(n)s 个考试任务合计（每人每个任务计一次）", n=len(shown))


def _unit_bars(rows, title: str, subtitle: str = "") -> str:
    return charts.completion_bars([(u.name, c.as_dict()) for u, c in rows], title=title, subtitle=subtitle, labels={
        "passed": _("通过"), "failed": _("未通过"), "in_progress": _("进行中"), "not_started": _("未开始"),
        "empty": _("暂无数据")})


def _charts(report: Report, bar_rows) -> dict:
    subtitle = covers(report)
    out = {"bars": _unit_bars(bar_rows, _("各单位完成情况"), subtitle),
           "histogram": charts.histogram(report.histogram(), title=_("成绩分布"), x_label=_("最高得分率 %"),
                                         y_label=_("人数"), subtitle=subtitle)}
    if report.filters.assignment_id and report.visible_assignments:
        t = report.timeline(report.filters.assignment_id)
        out["timeline"] = charts.completion_over_time(t["points"], t["assigned"], t["due"], title=_("完成进度"),
                                                      finished_label=_("已完成"), passed_label=_("已通过"),
                                                      due_label=_("截止"), subtitle=subtitle)
    return out


def _choices(report: Report) -> dict:
    """Filter choices, limited to the scope."""
    if report.filters.assignment_id is None and report.filters.date_from is None and report.filters.date_to is None \
            and report.filters.unit_id is None and report.filters.job_type_id is None:
        assignments = [(a.id, a.title) for a in report.visible_assignments]
    else:
        unfiltered = Report(report.scope, Filters(), now=report.now)
        pairs = assignee_pairs(None, [report.scope.people_condition()]).subquery()
        visible = set(db.session.scalars(select(pairs.c.assignment_id).distinct()))
        assignments = [(a.id, a.title) for a in unfiltered.assignments.values() if a.id in visible]
    units = [u for u in report.tree.units.values() if _in_scope_path(report, u.path)]
    if len(units) > 300:
        units = [u for u in units if u.depth <= 2]
    units.sort(key=lambda u: report.tree.label(u.id, skip_root=False))
    return {"assignment_choices": assignments, "job_type_choices": job_type_choices(),
            "unit_choices": [(u.id, report.tree.label(u.id, skip_root=False)) for u in units]}


def _in_scope_path(report: Report, path: str) -> bool:
    return report.scope.everything or any(path.startswith(p) for p in report.scope.unit_paths)


def _page(template: str, report: Report, **context):
    return render_template(template, report=report, filters=report.filters, args=report.filters.as_args(),
                           status_label=exports.status_label, **_choices(report), **context)


@bp.get("/")
@roles_required(*VIEWERS)
def completion():
    report = _report()
    totals = report.totals()
    bar_rows = report.chart_units(report.filters.assignment_id)
    return _page("reports/completion.html", report, totals=totals, overall=report.overall(),
                 charts=_charts(report, bar_rows), rate_bar=charts.rate_bar, practice=report.practice())


@bp.get("/units", defaults={"unit_id": None})
@bp.get("/units/<int:unit_id>")
@roles_required(*VIEWERS)
def unit(unit_id: int | None):
    report = _report()
    node = None
    if unit_id is not None:
        unit_row = db.session.get(Unit, unit_id)
        if unit_row is None or not report.scope.can_see_unit(unit_row):
            abort(404)
        node = report.tree.units.get(unit_id)
        if node is None:
            abort(404)
    total, children, direct = report.drill(node, report.filters.assignment_id)
    people = report.direct_people(node) if node is not None else []
    crumbs = []
    if node is not None:
        for uid in report.tree.ids_on_path(node.id)[:-1]:
            parent = report.tree.units.get(uid)
            if parent is not None and _in_scope_path(report, parent.path):
                crumbs.append(parent)
    return _page("reports/unit.html", report, node=node, total=total, children=children, direct=direct,
                 people=people, crumbs=crumbs,
                 charts={"bars": _unit_bars(children, _("下级单位完成情况"), covers(report))},
                 rate_bar=charts.rate_bar)


@bp.get("/chase")
@roles_required(*VIEWERS)
def chase():
    report = _report()
    rows = report.chase()
    labels = exports.status_labels()
    keys = ["exam", "unit", "section", "team", "no", "name", "job", *(["phone"] if report.show_phone else []),
            "status", "attempts", "best", "overdue"]  # one per column of exports.chase_headers
    return _page("reports/chase.html", report, rows=rows, headers=exports.chase_headers(report), keys=keys,
                 labelled={"exam", "unit", "section", "job", "attempts", "best", "overdue"},
                 values=lambda r: exports.chase_values(report, r, labels))


@bp.get("/export.xlsx")
@roles_required(*VIEWERS)
def export_xlsx():
    report = _report()
    data = exports.workbook_bytes(report)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=_filename("xlsx"),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/chase.csv")
@roles_required(*VIEWERS)
def export_csv():
    report = _report()
    response = Response(stream_with_context(exports.csv_lines(report)), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename=\"{_filename('csv')}\""
    return response


@bp.get("/report.pdf")
@roles_required(*VIEWERS)
def export_pdf():
    report = _report()
    rows = report.chase(limit=exports.PDF_MAX_ROWS + 1)
    labels = exports.status_labels()
    html = render_template("reports/pdf.html", report=report, totals=report.totals(),
                           charts=_charts(report, report.chart_units(report.filters.assignment_id)),
                           rows=rows[:exports.PDF_MAX_ROWS], truncated=len(rows) > exports.PDF_MAX_ROWS,
                           headers=exports.chase_headers(report), values=lambda r: exports.chase_values(report, r, labels),
                           generated=datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M"))
    return send_file(io.BytesIO(exports.pdf_bytes(html)), as_attachment=True, download_name=_filename("pdf"),
                     mimetype="application/pdf")


def _filename(ext: str) -> str:
    return f"completion-{datetime.now(SHANGHAI):%Y%m%d-%H%M}.{ext}"


@bp.get("/people/<int:person_id>")
@roles_required(*VIEWERS)
def person(person_id: int):
    report = _report()
    person_row = db.session.get(User, person_id)
    if person_row is None or not report.scope.can_see_person(person_row):
        abort(404)
    return _page("reports/person.html", report, person=person_row, entries=report.person_assignments(person_row),
                 practice=report.practice(extra=(User.id == person_row.id,)),
                 unit_text=report.tree.label(person_row.unit_id))


# -- item analysis -------------------------------------------------------------------------------------------------

def _exam_or_404(exam_id: int):
    exam = item_analysis.exam_visible(scope_for(current_user, "view"), exam_id)
    if exam is None:
        abort(404)
    return exam


@bp.get("/exams")
@roles_required("trainer")
def exams():
    return render_template("reports/exams.html", exams=item_analysis.visible_exams(scope_for(current_user, "view")))


@bp.get("/exams/<int:exam_id>/items")
@roles_required("trainer")
def items(exam_id: int):
    exam = _exam_or_404(exam_id)
    stats, questions = item_analysis.item_analysis(scope_for(current_user, "view"), exam.id)
    return render_template("reports/items.html", exam=exam, stats=stats, questions=questions,
                           flag_labels={k: _(v) for k, v in FLAG_LABELS.items()}, min_responses=MIN_RESPONSES,
                           time_cap_minutes=TIME_CAP_MS // 60000)


@bp.get("/exams/<int:exam_id>/missed")
@roles_required(*VIEWERS)
def missed(exam_id: int):
    exam = _exam_or_404(exam_id)
    scope = scope_for(current_user, "view")
    per_team, questions = item_analysis.missed_by_team(scope, exam.id)
    report = Report(scope)
    teams = sorted(((report.tree.units[t], items) for t, items in per_team.items() if t in report.tree.units),
                   key=lambda ti: report.tree.label(ti[0].id))
    return render_template("reports/missed.html", exam=exam, teams=teams, questions=questions,
                           label=report.tree.label)


# -- the head's home page ------------------------------------------------------------------------------------------

def panel_context(user) -> dict:
    report = Report(scope_for(user, "view"))
    return {"totals": report.totals()[:3]}

