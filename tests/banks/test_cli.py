"""``flask banks import/export/list``: JSON, exit codes 0/1/2, never a traceback."""
from __future__ import annotations

import json
import zipfile
import io

import pytest
from sqlalchemy import func, select

from quiz.banks.models import Bank, Question
from quiz.extensions import db
from tests.banks.factories import BAD as SAMPLE_BAD
from tests.banks.factories import GOOD as SAMPLE

GOOD = "# 题库：命令行题库\n" + SAMPLE
BAD = "# 题库：命令行题库\n" + SAMPLE_BAD


def run_import(runner, path, *args):
    result = runner.invoke(args=["banks", "import", str(path), "--json", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result, json.loads(result.output.strip().splitlines()[-1])


def questions() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def test_good_file_imports_and_exits_0(runner, tmp_path):
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    result, out = run_import(runner, path)
    assert result.exit_code == 0
    assert out["ok"] is True and out["format"] == "text" and out["questions"] == 3
    assert out["by_type"] == {"single": 1, "multiple": 0, "truefalse": 1, "fill": 1, "short": 0}
    assert out["errors"] == [] and out["skipped"] == []
    assert set(out) >= {"ok", "format", "questions", "by_type", "skipped", "errors", "warnings"}
    db.session.expire_all()
    assert db.session.scalar(select(Bank.title)) == "命令行题库"  # from the file's header
    assert questions() == 3
    # the same file again: every question is a duplicate, nothing added, still ok
    result, out = run_import(runner, path)
    assert result.exit_code == 0 and out["imported"] == 0 and out["duplicates"] == 3
    assert questions() == 3


def test_file_with_errors_exits_1_and_imports_nothing(runner, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(BAD, encoding="gb18030")
    result, out = run_import(runner, path, "--bank", "有错的题库")
    assert result.exit_code == 1
    assert out["ok"] is False and out["errors"]
    assert all(e["where"] and e["message"] for e in out["errors"])
    assert questions() == 0


def test_valid_only_imports_the_good_questions(runner, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(BAD, encoding="utf-8")
    result, out = run_import(runner, path, "--bank", "部分导入", "--valid-only")
    assert result.exit_code == 1 and out["imported"] == 3
    assert questions() == 3


def test_dry_run_writes_nothing(runner, tmp_path):
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    result, out = run_import(runner, path, "--dry-run")
    assert result.exit_code == 0 and out["questions"] == 3
    assert questions() == 0 and db.session.scalar(select(func.count()).select_from(Bank)) == 0


@pytest.mark.parametrize("name,data", [
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
    ("random.bin", bytes(range(256)) * 8),
    ("broken.docx", b"PK\x03\x04" + b"\x00\xff" * 100),
])
def test_unreadable_files_exit_2_with_a_message(runner, tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    result, out = run_import(runner, path)
    assert result.exit_code == 2, result.output
    assert out["ok"] is False and out["errors"][0]["message"]
    if name.endswith(".doc"):
        assert ".docx" in out["errors"][0]["message"]


def test_human_output_for_an_unreadable_file_has_no_traceback(runner, tmp_path):
    path = tmp_path / "x.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    result = runner.invoke(args=["banks", "import", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert ".docx" in result.output


def test_a_crashing_parser_is_exit_2_not_a_traceback(runner, tmp_path, monkeypatch):
    from quiz.banks import formats

    def boom(*args, **kwargs):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(formats, "parse", boom)
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    result, out = run_import(runner, path)
    assert result.exit_code == 2 and "RuntimeError" in out["errors"][0]["message"]


@pytest.mark.parametrize("fmt", ["xlsx", "text", "gift", "moodlexml"])
def test_export_then_import_gives_the_same_questions(runner, tmp_path, fmt):
    source = tmp_path / "good.txt"
    # GIFT has one blank per fill-in question; every format here carries these three
    source.write_text(GOOD, encoding="utf-8")
    assert run_import(runner, source, "--bank", "原题库")[0].exit_code == 0
    out_file = tmp_path / f"export.{ {'xlsx': 'xlsx', 'text': 'txt', 'gift': 'gift', 'moodlexml': 'xml'}[fmt] }"
    result = runner.invoke(args=["banks", "export", "原题库", "--format", fmt, "-o", str(out_file)])
    assert result.exit_code == 0, result.output
    result, out = run_import(runner, out_file, "--bank", "再导入")
    assert result.exit_code == 0, out
    assert out["imported"] == 3
    db.session.expire_all()
    first, second = (db.session.scalar(select(Bank).where(Bank.title == t)) for t in ("原题库", "再导入"))
    key = lambda q: (q.type, q.stem, q.options, q.answer)  # noqa: E731
    assert sorted(map(key, first.questions), key=str) == sorted(map(key, second.questions), key=str)
    assert [q.dedupe_key for q in sorted(first.questions, key=lambda q: q.dedupe_key)] == \
        [q.dedupe_key for q in sorted(second.questions, key=lambda q: q.dedupe_key)]


def test_export_by_id_and_unknown_bank(runner, tmp_path):
    source = tmp_path / "good.txt"
    source.write_text(GOOD, encoding="utf-8")
    run_import(runner, source)
    bank_id = db.session.scalar(select(Bank.id))
    out_file = tmp_path / "b.xlsx"
    result = runner.invoke(args=["banks", "export", str(bank_id), "-o", str(out_file)])
    assert result.exit_code == 0 and zipfile.is_zipfile(io.BytesIO(out_file.read_bytes()))
    result = runner.invoke(args=["banks", "export", "没有这个题库", "-o", str(out_file)])
    assert result.exit_code == 1 and "没有找到题库" in result.output


def test_list(runner, tmp_path):
    source = tmp_path / "good.txt"
    source.write_text(GOOD, encoding="utf-8")
    run_import(runner, source)
    result = runner.invoke(args=["banks", "list"])
    assert result.exit_code == 0 and "命令行题库" in result.output and "3 题" in result.output
