"""The roster parser on awkward HR exports: pure, no app and no database."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from quiz.org.roster.parse import UnreadableRoster, parse_roster, parse_roles, split_path

HEADER = ["工号", "姓名", "单位", "工区", "班组", "工种", "手机号", "角色"]


def xlsx(rows: list[list], title: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(",".join(str(c) for c in row) for row in rows).encode(encoding)


def messages(issues) -> str:
    return "\n".join(issue.message for issue in issues)


def test_title_row_above_the_header_and_unit_columns():
    data = xlsx([HEADER,
                 ["000123", "张三", "氧化铝厂", "矿制工区", "一班", "磨工", "13912345678", "员工"],
                 ["000124", "李四", "氧化铝厂", "矿制工区", "二班", "巡检工", "", "培训员、部门负责人"]],
                title="中铝山西新材料 2024 年员工花名册")
    result = parse_roster(data, "花名册.xlsx")
    assert result.ok and result.header_row == 3
    first, second = result.rows
    assert (first.row_number, first.employee_no, first.name) == (4, "000123", "张三")
    assert first.unit_path == ["氧化铝厂", "矿制工区", "一班"]
    assert (first.job_type, first.phone, first.roles) == ("磨工", "13912345678", ["worker"])
    assert second.roles == ["trainer", "head"] and second.phone == ""


def test_gbk_csv():
    data = csv_bytes([["工号", "姓名", "单位路径", "工种"],
                      ["000201", "王五", "中铝山西新材料/电解厂/电解一工区/一班", "电解工"]], "gbk")
    result = parse_roster(data, "roster.csv")
    assert result.ok
    assert result.rows[0].name == "王五"
    assert result.rows[0].unit_path == ["中铝山西新材料", "电解厂", "电解一工区", "一班"]


def test_utf8_csv_with_bom_and_gb18030():
    rows = [["工号", "姓名", "工种"], ["000301", "赵六", "天车工"]]
    for data in (b"\xef\xbb\xbf" + csv_bytes(rows), csv_bytes(rows, "gb18030")):
        result = parse_roster(data, "roster.csv")
        assert result.columns[0] == "employee_no"  # the BOM is not part of the header
        assert result.rows[0].job_type == "天车工"


def test_english_headers_and_a_path_column_with_each_separator():
    rows = [["Employee No", "Name", "Path", "Job Type", "Phone", "Role"],
            ["E001", "Li Lei", "中铝山西新材料/氧化铝厂/矿制工区/一班", "磨工", "", "worker"],
            ["E002", "Han Meimei", "中铝山西新材料／氧化铝厂／焙烧工区", "", "", "trainer, head"],
            ["E003", "Wang Fang", "中铝山西新材料>热电厂>电力工区>运行一班", "", "", "admin"],
            ["E004", "Zhao Lei", "中铝山西新材料-电解厂-电解一工区", "", "", ""],
            ["E005", "Sun Yu", "中铝山西新材料/铝加工事业部/熔铸工区/1班-3", "", "", ""]]
    result = parse_roster(xlsx(rows), "roster.xlsx")
    assert result.ok, messages(result.errors)
    paths = [row.unit_path for row in result.rows]
    assert paths[0] == ["中铝山西新材料", "氧化铝厂", "矿制工区", "一班"]
    assert paths[1] == ["中铝山西新材料", "氧化铝厂", "焙烧工区"]
    assert paths[2] == ["中铝山西新材料", "热电厂", "电力工区", "运行一班"]
    assert paths[3] == ["中铝山西新材料", "电解厂", "电解一工区"]
    assert paths[4][-1] == "1班-3"  # a hyphen inside a name stays when / separates
    assert [row.roles for row in result.rows] == [["worker"], ["trainer", "head"], ["admin"], None, None]


def test_employee_numbers_excel_turned_into_numbers_are_read_as_text_with_a_warning():
    result = parse_roster(xlsx([HEADER[:2], [123, "张三"], [124.0, "李四"]]), "r.xlsx")
    assert result.ok
    assert [row.employee_no for row in result.rows] == ["123", "124"]
    assert all(row.numeric_employee_no for row in result.rows)
    assert "文本" in messages(result.warnings) and "第 2 行" in messages(result.warnings)


def test_numeric_employee_number_among_leading_zeros_is_an_error():
    result = parse_roster(xlsx([HEADER[:2], ["000123", "张三"], [124, "李四"], ["000125", "王五"]]), "r.xlsx")
    assert [e.row for e in result.errors] == [3]
    assert "前导零" in result.errors[0].message and "文本" in result.errors[0].message
    assert [row.employee_no for row in result.rows] == ["000123", "000125"]


def test_employee_numbers_that_cannot_be_restored():
    result = parse_roster(xlsx([HEADER[:2], [123.5, "张三"]]), "r.xlsx")
    assert result.errors[0].row == 2 and "科学计数法" in result.errors[0].message
    result = parse_roster(csv_bytes([HEADER[:2], ["1.23457E+11", "张三"], ["123.0", "李四"]]), "r.csv")
    assert [e.row for e in result.errors] == [2]
    assert result.rows[0].employee_no == "123"


def test_duplicate_employee_numbers_name_both_rows_and_neither_is_imported():
    result = parse_roster(xlsx([HEADER[:2], ["000001", "张三"], ["000002", "李四"], ["000001", "王五"]]), "r.xlsx")
    assert [e.row for e in result.errors] == [4]
    message = result.errors[0].message
    assert "第 4 行" in message and "第 2 行" in message and "张三" in message and "王五" in message
    assert [row.employee_no for row in result.rows] == ["000002"]


def test_identical_repeated_row_is_dropped_with_a_warning():
    row = ["000001", "张三", "氧化铝厂", "矿制工区", "一班", "磨工", "", ""]
    result = parse_roster(xlsx([HEADER, row, row]), "r.xlsx")
    assert result.ok and len(result.rows) == 1
    assert "完全相同" in messages(result.warnings)


def test_row_problems_each_with_row_number_and_what_to_do():
    result = parse_roster(xlsx([
        HEADER,
        ["000001", "", "氧化铝厂", "", "", "", "", ""],
        ["", "李四", "氧化铝厂", "", "", "", "", ""],
        ["000003", "王五", "氧化铝厂", "", "", "", "12345", ""],
        ["000004", "赵六", "氧化铝厂", "", "", "", "", "经理"],
        ["00 05", "钱七", "", "", "", "", "", ""],
        ["000006", "孙八", "", "", "", "", "", "部门负责人"],
        ["000007", "周九", "氧化铝厂", "", "", "", "139-1234-5678", ""],
    ]), "r.xlsx")
    by_row = {e.row: e.message for e in result.errors}
    assert "姓名为空" in by_row[2]
    assert "工号为空" in by_row[3] and "李四" in by_row[3]
    assert "手机号" in by_row[4] and "11 位" in by_row[4]
    assert "经理" in by_row[5] and "培训员" in by_row[5]
    assert "不允许的字符" in by_row[6]
    assert "部门负责人" in by_row[7]
    assert [row.employee_no for row in result.rows] == ["000007"]
    assert result.rows[0].phone == "13912345678" and "已整理" in messages(result.warnings)
    assert result.employee_nos >= {"000001", "000003", "000007"}  # bad rows still count as "in the roster"


def test_rows_without_employee_number_and_name_are_skipped():
    result = parse_roster(xlsx([HEADER[:3], ["000001", "张三", "氧化铝厂"], ["", "", "合计 1 人"]]), "r.xlsx")
    assert result.ok and len(result.rows) == 1 and "已跳过" in messages(result.warnings)


@pytest.mark.parametrize("data, words", [
    (b"", "空"),
    (b"   \r\n", "空"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "不是电子表格"),
    (bytes(range(256)) * 4, "不是电子表格"),
    (csv_bytes([["序号", "备注"], ["1", "x"]]), "找不到表头"),
    (csv_bytes([["工号", "姓名"]]), "没有人员"),
    (b"PK\x03\x04 not really a zip", "损坏"),
])
def test_unreadable_files_raise_a_chinese_message(data, words):
    with pytest.raises(UnreadableRoster) as caught:
        parse_roster(data, "roster.xlsx")
    assert words in str(caught.value)


def test_a_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(UnreadableRoster, match="Word"):
        parse_roster(out.getvalue(), "roster.docx")


def test_zip_bomb_is_refused_before_opening():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    with pytest.raises(UnreadableRoster, match="压缩炸弹"):
        parse_roster(out.getvalue(), "roster.xlsx")


def test_roles_and_paths_helpers():
    assert parse_roles("培训员、部门负责人") == (["trainer", "head"], [])
    assert parse_roles("Admin;Trainer") == (["trainer", "admin"], [])
    assert parse_roles("  ") == (None, [])
    assert parse_roles("员工，老板") == (["worker"], ["老板"])
    assert split_path("氧化铝厂 > 矿制工区") == ["氧化铝厂", "矿制工区"]
    assert split_path("") == []
