"""The navigation each role sees. Domains add entries as they land."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user

# (endpoint, label, roles); label is a msgid translated at render time
NAV = [
    ("org.home", "首页", {"worker", "trainer", "head", "admin"}),
    ("exams.my_tasks", "我的任务", {"worker"}),
    ("exams.practice_home", "练习", {"worker"}),
    ("exams.mistakes", "错题本", {"worker"}),
    ("certificates.mine", "我的证书", {"worker"}),
    ("banks.bank_list", "题库", {"trainer"}),
    ("exams_trainer.exams", "考试", {"trainer"}),
    ("exams_trainer.grading", "评阅", {"trainer"}),
    ("reports.completion", "完成情况", {"head", "trainer"}),
    ("certificates.bulk", "批量下载证书", {"head", "trainer"}),
    ("org.people", "人员", {"head", "admin"}),
    ("org.units", "组织机构", {"admin"}),
    ("certificates.admin_list", "证书管理", {"admin"}),
    ("org.audit", "操作日志", {"admin"}),
]


def nav_items() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    roles = current_user.roles
    items = []
    for endpoint, label, allowed in NAV:
        if not (roles & allowed or ("admin" in roles and allowed != {"worker"})):
            continue
        if endpoint not in current_app.view_functions:
            continue
        items.append((url_for(endpoint), _(label)))
    return items
