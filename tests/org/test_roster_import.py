"""Importing a parsed roster: create, update, leave alone, deactivate; and the CLI."""
from __future__ import annotations

import io
import json

import openpyxl
from sqlalchemy import select

from quiz.auth import passwords
from quiz.extensions import db
from quiz.org.models import AuditLog, JobType, RoleGrant, Unit, User
from quiz.org.roster.parse import parse_roster
from quiz.org.roster.importing import apply_roster
from tests.org.factories import ORE, ROSTER_ROWS, import_roster, make_unit, make_user, person, roster_xlsx
from tests.sql import count

def unit_names(user: User) -> list[str]:
    names, node = [], user.unit
    while node is not None:
        names.insert(0, node.name)
        node = node.parent
    return names


def test_first_import_creates_units_job_types_people_and_passwords(app):
    report = import_roster(ROSTER_ROWS)
    assert (report.created, report.updated, report.unchanged, report.deactivated) == (3, 0, 0, 0)
    assert report.applied and report.ok
    zhang = person("000101")
    assert unit_names(zhang) == ORE.split("/") and zhang.job_type.name == "磨工" and zhang.phone == "13900000001"
    assert zhang.must_change_password and zhang.active
    company = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
    assert company.kind == "company" and zhang.unit.kind == "team" and zhang.unit.path.startswith(company.path)
    issued = {p.employee_no: p for p in report.passwords}
    assert set(issued) == {"000101", "000102", "000103"}
    assert issued["000101"].unit == "氧化铝厂 / 矿制工区 / 一班"
    assert passwords.verify(zhang.password_hash, issued["000101"].password)
    li = person("000102")
    assert {(g.role, g.unit_id) for g in li.grants} == {("head", li.unit_id)}  # leads the unit of their row
    wang = person("000103")
    assert {(g.role, g.unit_id) for g in wang.grants} == {("trainer", wang.unit_id)}
    assert count(JobType) == 3


def test_reimporting_the_same_file_changes_nothing(app):
    import_roster(ROSTER_ROWS)
    before = {u.employee_no: (u.password_hash, u.unit_id, u.job_type_id) for u in db.session.scalars(select(User))}
    units, grants = count(Unit), count(RoleGrant)
    report = import_roster(ROSTER_ROWS)
    assert (report.created, report.updated, report.unchanged, report.deactivated) == (0, 0, 3, 0)
    assert report.passwords == [] and count(Unit) == units and count(RoleGrant) == grants
    after = {u.employee_no: (u.password_hash, u.unit_id, u.job_type_id) for u in db.session.scalars(select(User))}
    assert after == before


def test_a_changed_row_updates_that_person_only(app):
    import_roster(ROSTER_ROWS)
    changed = [list(row) for row in ROSTER_ROWS]
    changed[1] = ["000102", "李四海", "中铝山西新材料有限公司/氧化铝厂/焙烧工区/一班", "焙烧工", "13900000002", "部门负责人"]
    report = import_roster(changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    li = person("000102")
    assert li.name == "李四海" and unit_names(li)[-2:] == ["焙烧工区", "一班"]
    assert li.job_type.name == "焙烧工" and li.phone == "13900000002"
    assert {(g.role, g.unit_id) for g in li.grants} == {("head", li.unit_id)}  # the head grant moved with them
    assert import_roster(changed).unchanged == 3


def test_empty_cells_leave_fields_alone_and_worker_takes_roles_away(app):
    import_roster(ROSTER_ROWS)
    blank = [["000102", "李四", ORE, "", "", ""], ["000103", "王五", "", "", "", "员工"]]
    report = import_roster(blank)
    assert (report.updated, report.unchanged) == (1, 1)
    li, wang = person("000102"), person("000103")
    assert li.job_type.name == "巡检工" and [g.role for g in li.grants] == ["head"]
    assert wang.grants == [] and wang.job_type.name == "电解工" and wang.unit is not None


def test_missing_people_are_deactivated_only_when_asked_and_never_deleted(app):
    admin = make_user("900001", name="管理员", roles={"admin": [None]})
    import_roster(ROSTER_ROWS)
    assert import_roster(ROSTER_ROWS[:1]).deactivated == 0 and person("000103").active
    report = import_roster(ROSTER_ROWS[:1], deactivate_missing=True)
    assert report.deactivated == 2 and not person("000102").active and not person("000103").active
    assert db.session.get(User, admin.id).active  # administrators are never locked out by an import
    assert "900001" in "\n".join(w.message for w in report.warnings)
    assert count(User) == 4
    again = import_roster(ROSTER_ROWS)  # back in the roster: active again
    assert again.updated == 2 and person("000103").active


def test_a_file_with_errors_imports_nothing_unless_valid_only(app):
    rows = ROSTER_ROWS + [["000104", "", ORE, "", "", ""], ["000105", "赵六", ORE, "", "", "老板"]]
    report = import_roster(rows)
    assert not report.ok and not report.applied and [e.row for e in report.errors] == [6, 7]
    assert count(User) == 0 and count(Unit) == 0 and count(AuditLog) == 0
    report = import_roster(rows, valid_only=True)
    assert report.applied and not report.ok and report.created == 3 and count(User) == 3


def test_dry_run_writes_nothing_but_counts(app):
    report = import_roster(ROSTER_ROWS, dry_run=True)
    assert report.created == 3 and not report.applied and report.passwords == []
    assert count(User) == count(Unit) == count(AuditLog) == 0


def test_one_audit_entry_with_counts(app):
    admin = make_user("900001", roles={"admin": [None]})
    import_roster(ROSTER_ROWS, actor=admin)
    import_roster(ROSTER_ROWS[:2], actor=admin, deactivate_missing=True)
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "roster.import")
                                 .order_by(AuditLog.id)).all()
    assert len(entries) == 2 and entries[0].actor_id == admin.id
    assert entries[0].details["created"] == 3 and "新增 3 人" in entries[0].summary
    assert entries[1].details["deactivated"] == 1 and entries[1].details["deactivated_employee_nos"] == ["000103"]


def test_admin_chosen_initial_password_for_everybody(app):
    report = import_roster(ROSTER_ROWS, initial_password="Start2024x")
    hashes = {u.password_hash for u in db.session.scalars(select(User))}
    assert len(hashes) == 1 and passwords.verify(hashes.pop(), "Start2024x")
    assert {p.password for p in report.passwords} == {"Start2024x"}


def test_paths_without_the_company_go_under_the_existing_one(app):
    company = make_unit("中铝山西新材料有限公司", kind="company")
    alumina = make_unit("氧化铝厂", company)
    db.session.commit()
    report = import_roster([["000201", "甲", "氧化铝厂/矿制工区/一班", "", "", ""],
                  ["000202", "乙", "中铝山西新材料/电解厂", "", "", ""],
                  ["000203", "丙", "热电厂/电力工区", "", "", ""]])
    assert report.ok and count(Unit.__table__.select().where(Unit.parent_id.is_(None)).subquery()) == 1
    assert person("000201").unit.parent.parent_id == alumina.id
    assert unit_names(person("000202")) == ["中铝山西新材料有限公司", "电解厂"]
    assert unit_names(person("000203")) == ["中铝山西新材料有限公司", "热电厂", "电力工区"]
    assert "中铝山西新材料有限公司" in "\n".join(w.message for w in report.warnings)


def test_employee_number_that_lost_its_leading_zeros_against_the_database(app):
    make_user("000777", name="张三")
    book = openpyxl.Workbook()
    book.active.append(["工号", "姓名"])
    book.active.append([777, "张三"])
    out = io.BytesIO()
    book.save(out)
    report = apply_roster(parse_roster(out.getvalue(), "r.xlsx"))
    assert not report.ok and "000777" in report.errors[0].message and report.created == 0


def test_importer_keeps_their_own_admin_role(app):
    admin = make_user("900001", roles={"admin": [None]})
    report = import_roster([["900001", "管理员", "", "", "", "员工"]], actor=admin)
    assert db.session.get(User, admin.id).is_admin and "管理员" in report.warnings[0].message


# --------------------------------------------------------------------------- CLI

def cli_json(runner, *args):
    result = runner.invoke(args=["users", "import", *args, "--json"])
    return result.exit_code, json.loads(result.output.strip().splitlines()[-1])


def test_cli_json_and_exit_codes(app, runner, tmp_path):
    good = tmp_path / "roster.xlsx"
    good.write_bytes(roster_xlsx(ROSTER_ROWS))
    code, out = cli_json(runner, str(good), "--dry-run")  # new units without --create-units: errors
    assert code == 1 and not out["ok"] and len(out["errors"]) == 3 and "--create-units" in out["errors"][0]["message"]
    code, out = cli_json(runner, str(good), "--dry-run", "--create-units")
    assert code == 0 and out["ok"] and out["created"] == 3 and count(User) == 0
    assert [u["path"] for u in out["new_units"]][-1] == "中铝山西新材料有限公司 / 电解厂 / 电解一工区"
    assert len(out["new_units"]) == 6 and out["create_units"]
    passwords_out = tmp_path / "pw.xlsx"
    code, out = cli_json(runner, str(good), "--passwords-out", str(passwords_out), "--create-units")
    assert code == 0 and out["created"] == 3 and count(User) == 3
    assert {"ok", "created", "updated", "unchanged", "deactivated", "errors", "warnings"} <= set(out)
    sheet = openpyxl.load_workbook(passwords_out).active
    assert [c.value for c in sheet[1]] == ["工号", "姓名", "单位", "初始密码"] and sheet.max_row == 4
    code, out = cli_json(runner, str(good))
    assert code == 0 and out["unchanged"] == 3

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(roster_xlsx(ROSTER_ROWS[:1] + [["000109", "", ORE, "", "", ""]]))
    code, out = cli_json(runner, str(bad))
    assert code == 1 and not out["ok"] and out["errors"] == [{"row": 4, "message": out["errors"][0]["message"]}]
    assert out["created"] == 0 and "姓名为空" in out["errors"][0]["message"]
    code, out = cli_json(runner, str(bad), "--valid-only", "--deactivate-missing", "--initial-password", "Start2024x")
    assert code == 1 and out["deactivated"] == 2 and out["unchanged"] == 1

    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"\x00\x01binary\x02" * 100)
    code, out = cli_json(runner, str(junk))
    assert code == 2 and not out["ok"] and "不是电子表格" in out["errors"][0]["message"]
    code, out = cli_json(runner, str(tmp_path / "missing.xlsx"))
    assert code == 2 and not out["ok"]


def test_cli_text_output_never_a_traceback(app, runner, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(args=["users", "import", str(empty)])
    assert result.exit_code == 2 and "空" in result.output and "Traceback" not in result.output
    good = tmp_path / "roster.csv"
    good.write_bytes("工号,姓名\n000001,张三\n".encode("gbk"))
    result = runner.invoke(args=["users", "import", str(good), "--initial-password", "Start2024x"])
    assert result.exit_code == 0 and "新增 1 人" in result.output
