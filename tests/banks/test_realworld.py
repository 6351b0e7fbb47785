"""Every file in ../shared/realworld-banks: none crashes; counts by type are
compared with SOURCES.md where it gives them (exact, or within a tolerance
whose reason is written beside it); broken files give their clear error.

Run with ``-s`` to see the recovered share per file.
"""
from pathlib import Path

import pytest

from quiz.banks import formats
from quiz.text import UnreadableFile

BANKS = Path(__file__).resolve().parents[2].parent / "shared" / "realworld-banks"
FILES = sorted(p for p in BANKS.glob("*") if p.suffix not in (".md",)) if BANKS.is_dir() else []

S, M, T, F, Q = "single", "multiple", "truefalse", "fill", "short"

# file -> (expected counts, tolerance as a share of each count, reason)
COUNTS = {
    "gift_es_linux_embebido_quiz-catch-game.gift": ({S: 8}, 0, ""),
    "aiken_fabiommendes_dump_with_file.txt": ({S: 1}, 0, ""),
    "moodlexml_es_prado_metaheuristicas_export.xml": ({S: 2, T: 2}, 0, "the matching question is skipped"),
    "moodlexml_es_tests3_Tema_12.xml": ({T: 8}, 0, ""),
    "moodlexml_ru_nettest_shortanswer.xml": ({F: 258}, 0, "HTML entities replaced, with a warning"),
    "cn_txt_safety_jianzhu_C3_anguan_6th.txt": ({S: 1852, M: 616, T: 497}, 0, ""),
    "cn_txt_ethics_buaa_clean.txt": ({S: 109, M: 122, T: 72}, 0, ""),
    "cn_txt_ethics_buaa_KANGXI_RADICALS.txt": ({S: 109, M: 122, T: 72}, 0, ""),
    "cn_txt_GBK_yuwen_answer_key_at_end.txt": ({S: 3}, 0, ""),
    "cn_txt_renshe_policy_3262q_daan_jiexi.txt": (
        {S: 1428, M: 727, T: 538, F: 569}, 0.005,
        "SOURCES counts answer lines; a few questions in the file are broken (options of 226 lost, "
        "'127．解析：'), so the parse differs by at most 2 per type"),
    "cn_txt_labsafety_uestc_answer_only_caret_sep.txt": ({T: 851}, 0, "482 keys with no options are errors"),
    "cn_docx_tax_tiku_import_template.docx": ({S: 8, M: 10, T: 16, Q: 5}, 0,
                                              "改错 2, 计算 4, 案例 1 are skipped"),
    "cn_csv_UTF8BOM_netsec_ampersand_options.csv": ({S: 8, M: 9, T: 10}, 0, ""),
    "cn_csv_dangshi_1105q_crlf.csv": ({S: 834, M: 129, T: 142}, 0, ""),
    "cn_xls_biff8_mayuan_995q.xls": ({T: 340, S: 330, M: 239, F: 44, Q: 42}, 0, ""),
    "cn_xlsx_labsafety_henan_json_options_b10.xlsx": ({T: 50, S: 74, M: 24}, 0, ""),
    "cn_xlsx_wenjuanxing_safety_anquan_shengchan.xlsx": ({S: 80, M: 40}, 0, ""),
    "cn_xlsx_import_template_java_fyhc1.xlsx": ({S: 3, M: 2, T: 2, F: 2, Q: 1}, 0, ""),
    "cn_xlsx_banking_accounting_593q.xlsx": ({S: 593}, 0, ""),
    "cn_xlsx_eldercare_judge_1_0.xlsx": ({S: 5, M: 4, T: 3}, 0.34,
                                         "one multiple-choice row keys ACD with only 3 options: an error"),
}
# at least these many: SOURCES.md undercounts this file (it counted 答案： lines; the
# 114 + 79 questions after the leftover numbering lines carry their key in the stem)
AT_LEAST = {
    "cn_txt_safety_shuili_anquan_tk.txt": {S: 396, M: 274, T: 327},
    "cn_xlsx_labsafety_henan_merged_tiku.xlsx": {S: 231, T: 200, M: 99},  # +74 untyped rows inferred
    "cn_xls_contest_multisheet_header_row3.xls": {S: 123, Q: 7},  # three identical sheets
    "cn_txt_OCR_campus_safety_rules.txt": {},  # OCR: only that it does not crash
}
UNREADABLE = {
    "cn_doc_safety_shuili_anquan_2023_10.doc": "另存为 .docx",
    "qti21_oat-sa_choice.xml": "Moodle XML",
    "qti21_oat-sa_choice_multiple.xml": "Moodle XML",
    "qti21_oat-sa_text_entry.xml": "Moodle XML",
    "qti21_oat-sa_extended_text.xml": "Moodle XML",
}
BROKEN = {  # a clear error, and no question imported
    "moodlexml_fr_MALFORMED_MultipleChoiceQuestion.xml": ("第 2 行", "XML 格式错误"),
    "cn_csv_GBK_medical_ct_NO_ANSWERS.csv": ("第 1 行", "答案列"),
    "cn_xlsx_EMPTY_template_title_row.xlsx": ("", "没有题目"),
}
# the total the file holds, for the recovered share
TOTALS = {"cn_txt_safety_shuili_anquan_tk.txt": 510 + 353 + 329, "cn_txt_OCR_campus_safety_rules.txt": 473,
          "cn_txt_labsafety_uestc_answer_only_caret_sep.txt": 1333,
          "cn_docx_tax_tiku_import_template.docx": 46, "moodlexml_es_prado_metaheuristicas_export.xml": 5,
          "cn_xlsx_labsafety_henan_merged_tiku.xlsx": 604, "cn_xls_contest_multisheet_header_row3.xls": 130}

SHARES: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def share_table():
    yield
    if SHARES:
        print("\n\nrecovered share per real-world file")
        for name in sorted(SHARES):
            print(f"  {SHARES[name]:>32}  {name}")


def test_every_file_is_listed():
    assert FILES, f"{BANKS} is missing"
    listed = set(COUNTS) | set(AT_LEAST) | set(UNREADABLE) | set(BROKEN)
    assert {p.name for p in FILES} <= listed


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_world_file(path):
    data = path.read_bytes()
    name = path.name
    if name in UNREADABLE:
        with pytest.raises(UnreadableFile) as exc:
            formats.parse(data, name)
        assert UNREADABLE[name] in str(exc.value)
        SHARES[name] = "unreadable (clear message)"
        return
    result = formats.parse(data, name)
    for issue in result.errors + result.warnings:
        assert issue.message and "Traceback" not in issue.message
    got = result.by_type()
    if name in BROKEN:
        where, text = BROKEN[name]
        assert not result.questions
        assert any(where in e.where and text in e.message for e in result.errors), result.errors
        SHARES[name] = "broken: clear error"
        return
    if name in COUNTS:
        expected, tol, reason = COUNTS[name]
        for kind in (S, M, T, F, Q):
            want = expected.get(kind, 0)
            assert abs(got[kind] - want) <= tol * want, (kind, got, expected, reason)
        total = sum(expected.values())
    else:
        for kind, want in AT_LEAST[name].items():
            assert got[kind] >= want, (kind, got)
        total = sum(AT_LEAST[name].values()) or 1
    total = TOTALS.get(name, total)
    n = len(result.questions)
    SHARES[name] = f"{n}/{total} = {n / total:.1%}, {len(result.errors)} err"


def test_uestc_keys_without_options_say_so():
    result = formats.parse((BANKS / "cn_txt_labsafety_uestc_answer_only_caret_sep.txt").read_bytes(), "bank.txt")
    assert len(result.errors) == 482
    assert all("没有选项" in e.message and e.where.startswith("第 ") for e in result.errors)
