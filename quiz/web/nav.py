"""The navigation each role sees. Domains add entries as they land."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from quiz.i18n import N_

# (endpoint, label, roles); label is a msgid translated at render time
NAV = [
    ("org.home", N_("首页"), {"worker", "trainer", "head", "admin"}),
    ("exams.my_tasks", N_("我的任务"), {"worker"}),
    ("exams.practice_home", N_("练习"), {"worker"}),
    ("exams.mistakes", N_("错题本"), {"worker"}),
    ("certificates.mine", N_("我的证书"), {"worker"}),
    ("banks.bank_list", N_("题库"), {"trainer"}),
    ("exams_trainer.exams", N_("考试"), {"trainer"}),
    ("exams_trainer.grading", N_("评阅"), {"trainer"}),
    ("reports.completion", N_("完成情况"), {"head", "trainer"}),
    ("certificates.bulk", N_("批量下载证书"), {"head", "trainer"}),
    ("org.people", N_("人员"), {"head", "admin"}),
    ("org.units", N_("组织机构"), {"admin"}),
    ("certificates.admin_list", N_("证书管理"), {"admin"}),
    ("org.audit", N_("操作日志"), {"admin"}),
    ("auth.locks", N_("登录锁定"), {"admin"}),
    ("paths.my_paths", N_("我的学习路径"), {"worker"}),
    ("paths.manage", N_("培训路径"), {"trainer"}),
    ("paths.overview", N_("培训路径进度"), {"head"}),
    ("sessions.my_record", N_("培训档案"), {"worker"}),
    ("sessions.session_list", N_("培训签到"), {"trainer"}),
    ("sessions.unit_records", N_("培训学时"), {"head", "trainer"}),
    ("sessions.required_hours", N_("应修学时"), {"admin"}),
]


def nav_items() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    roles = current_user.roles
    items = []
    for endpoint, label, allowed in NAV:
        if not (roles & allowed or ("admin" in roles and allowed != {"worker"})):
            continue
        items.append((url_for(endpoint), _(label)))
    return items
