"""The draft generator's pure core: sentences, numbers, facts and the well-formedness
of every draft made from the shipped articles and the newsletter."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.banks import types as qtypes
from quiz.banks.drafts import generate, well_formed
from quiz.banks.drafts.facts import good_answer
from quiz.banks.drafts.make import fold
from quiz.banks.drafts.numbers import cn_to_int, find_quantities, int_to_cn, near, variants
from quiz.banks.drafts.sentences import split
from quiz.banks.services import read_article_file
from quiz.banks.types.fill import blank_count

REPO = Path(__file__).resolve().parents[2]
ARTICLES = sorted((REPO / "question_banks" / "articles").glob("*.md"))
NEWSLETTER = REPO.parent / "shared" / "source" / "jinglv-2153.txt"


def _texts():
    texts = [(p.name, read_article_file(p)["body"]) for p in ARTICLES]
    if NEWSLETTER.exists():
        texts.append((NEWSLETTER.name, NEWSLETTER.read_text(encoding="utf-8")))
    return texts


@pytest.fixture(scope="module")
def all_drafts():
    return {name: generate(text) for name, text in _texts()}


# -- sentences -------------------------------------------------------------------

def test_sentences_keep_heading_paragraph_and_place():
    doc = split("## 观察怎么做\n\n看多久：至少30秒。看什么：一是员工的作业行为；二是作业环境。\n\n"
                "## 沟通\n\n- 先肯定做得好的地方。\n- 再指出违章并纠正。\n")
    texts = [s.text for s in doc.sentences]
    assert texts[0] == "看多久：至少30秒。"
    assert "一是员工的作业行为；" in texts and "二是作业环境。" in texts
    first = doc.sentences[0]
    assert (first.heading, first.paragraph, first.number) == ("观察怎么做", 1, 1)
    assert doc.sentences[-1].heading == "沟通" and doc.sentences[-1].list_item
    # the clauses 一是/二是 and the list items are enumerations
    assert len(doc.enumerations) == 2
    assert doc.enumerations[0].lead.startswith("看什么")


def test_numbered_clauses_and_western_punctuation_split():
    doc = split("魏成文提出六点要求:一要发挥党委作用;二要珍惜改革成果。三要重视安全环保工作. Then more text here.")
    clauses = [s.clause for s in doc.sentences]
    assert clauses[:4] == [None, 1, 2, 3]
    assert doc.sentences[1].text.startswith("一要")
    # 统一要求 is not a clause: 一要 must follow punctuation
    assert all(s.clause is None for s in split("大家统一要求，按规程操作，不得违章作业。").sentences)


def test_offsets_point_at_the_sentence_in_the_text():
    text = "第一行文字在这里。\n第二句话也在这里！\n\n（一）加强培训管理工作；（二）落实安全责任制度。"
    for s in split(text).sentences:
        assert text[s.start:s.end] == s.text


@given(st.text(alphabet=st.sampled_from(list("安全生产检修设备。，；！？：“”、\n #-*（一）二是要30秒%")), max_size=300))
@settings(max_examples=150, deadline=None)
def test_split_never_fails_and_offsets_stay_inside(text):
    doc = split(text)
    for s in doc.sentences:
        assert 0 <= s.start < s.end <= len(text)
        assert s.text.strip() == s.text and s.text
    for e in doc.enumerations:
        assert len(e.sentences) >= 2


# -- numbers -----------------------------------------------------------------------

def test_quantities_and_their_variants():
    found = {q.text: q for q in find_quantities("至少30秒，废铝利用率超过75%，发到800余名干部，分为四个阶段，统一要求，做一次")}
    assert set(found) == {"30秒", "75%", "800余名", "四个"}
    assert variants(found["30秒"])[:4] == ["30秒", "30", "三十秒", "三十"]
    assert "4个" in variants(found["四个"]) and "四" in variants(found["四个"])


@given(st.integers(min_value=0, max_value=99999))
def test_chinese_numerals_round_trip(n):
    assert cn_to_int(int_to_cn(n)) == n


@given(st.integers(min_value=1, max_value=5000), st.sampled_from(["秒", "名", "%", "余人次", "伏"]),
       st.integers(min_value=0, max_value=100))
def test_near_numbers_are_distinct_wrong_and_of_the_same_unit(value, unit, salt):
    if unit == "%" and value > 100:
        value = value % 100 + 1
    text = f"{value}{unit}"
    q = find_quantities(text)[0]
    wrong = near(q, [], 3, salt)
    assert len(wrong) == 3 and len(set(wrong)) == 3
    for w in wrong:
        assert w != text and w.endswith(unit.lstrip("余") if unit != "余人次" else "余人次")
        assert find_quantities(w), w


# -- drafts ----------------------------------------------------------------------------

def test_every_type_is_drafted_from_the_behaviour_safety_article(all_drafts):
    result = all_drafts["behaviour_safety.md"]
    by_type = {d.type for d in result.drafts}
    assert by_type == {"single", "multiple", "truefalse", "fill"}
    fill_30 = [d for d in result.drafts if d.type == "fill" and "30秒" in d.answer[0]]
    assert fill_30 and {"30", "三十秒", "三十"} <= set(fill_30[0].answer[0])
    single_30 = [d for d in result.drafts if d.type == "single" and d.blank == "30秒"]
    assert single_30 and all(re.fullmatch(r"\d+秒", o) for o in single_30[0].options)
    falses = [d for d in result.drafts if d.type == "truefalse" and d.answer is False]
    assert falses
    for d in falses:  # a false statement swaps a fact for a sibling, never only adds a negation
        assert fold(d.stem) != fold(d.sentence.text)
        assert not re.sub(r"不|没有|未", "", d.stem) == re.sub(r"不|没有|未", "", d.sentence.text)


def test_quoted_principles_and_enumerations_are_asked(all_drafts):
    drafts = all_drafts["twentieth_congress.md"].drafts
    singles = [d for d in drafts if d.type == "single" and d.kind == "quote"]
    assert any(d.blank == "学懂弄通做实" for d in singles)
    multiple = [d for d in drafts if d.type == "multiple"]
    principles = [d for d in multiple if "五个不放过" in d.options or "三必管" in d.options]
    assert principles, [d.stem for d in multiple]


@pytest.mark.parametrize("name", [p.name for p in ARTICLES] + [NEWSLETTER.name])
def test_every_draft_is_well_formed(all_drafts, name):
    """The rules of the issue, over every shipped article and the newsletter."""
    if name not in all_drafts:
        pytest.skip("newsletter not beside the repository")
    result = all_drafts[name]
    assert len(result.drafts) >= 20
    keys = set()
    for d in result.drafts:
        q = d.question("文章")
        assert qtypes.validate(q) == [], (d.stem, qtypes.validate(q))
        assert well_formed(d) == []
        assert d.sentence.where in q.source_excerpt and fold(d.sentence.text) in fold(q.source_excerpt)
        assert 1 <= d.difficulty <= 5
        identity = (d.type, fold(d.stem), repr(d.answer))
        assert identity not in keys, d.stem
        keys.add(identity)
        if d.type == "fill":
            assert blank_count(d.stem) == 1
            assert all(good_answer(a) for a in d.answer[0])
        if d.type in ("single", "multiple"):
            folded = [fold(o) for o in d.options]
            assert len(set(folded)) == len(folded)
            right = [d.options[i] for i in d.answer]
            assert all(good_answer(o) for o in right)
        if d.type == "single" and d.kind in ("number",):
            assert all(find_quantities(o) for o in d.options), d.options
        if d.type == "single" and d.kind == "term":
            assert all(len(o) <= len(d.options[d.answer[0]]) + 1 for o in d.options)


def test_rejected_drafts_are_not_proposed_again():
    text = read_article_file(ARTICLES[0])["body"]
    first = generate(text)
    gone = {first.drafts[0].key, first.drafts[3].key}
    again = generate(text, rejected=gone)
    assert not gone & {d.key for d in again.drafts}
    assert again.rejected_skipped == 2
    assert len(again.drafts) == len(first.drafts) - 2


def test_max_keeps_the_best_spread_over_the_text_in_text_order():
    text = read_article_file(ARTICLES[0])["body"]
    best = generate(text, max_drafts=10).drafts
    assert len(best) == 10
    assert [d.sentence.index for d in best] == sorted(d.sentence.index for d in best)
    assert len({d.sentence.index for d in best}) == 10  # one draft per sentence before a second one
    everything = generate(text).drafts
    firsts = {}
    for d in everything:
        firsts[d.sentence.index] = max(firsts.get(d.sentence.index, 0), d.score)
    assert min(d.score for d in best) >= sorted(firsts.values(), reverse=True)[9]


def test_benchmark_prints_one_json_line_and_its_figures_with_recall_over_the_aim():
    import json

    done = subprocess.run([sys.executable, str(REPO / "bench" / "drafts.py")], capture_output=True, text=True,
                          cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    json_lines = [line for line in lines if line.startswith("{")]
    assert len(json_lines) == 1
    assert all(line.startswith(("{", "FIGURE\t")) for line in lines)  # make bench's table reads the FIGURE lines
    assert any(line.startswith("FIGURE\tdrafts: recall") for line in lines)
    figures = json.loads(json_lines[0])
    assert figures["questions_matched"] >= 380  # the shipped banks' questions, path material included
    assert figures["recall"] >= 0.6
    assert set(figures["type_share"]) == {"single", "multiple", "truefalse", "fill"}


def test_known_terms_become_distractors():
    text = "## 原则\n\n安全工作坚持“一岗双责”，做到守土有责。"
    result = generate(text, known_terms=["五个不放过", "三必管", "党政同责", "五落实"])
    singles = [d for d in result.drafts if d.type == "single" and d.blank == "一岗双责"]
    assert singles and set(singles[0].options) - {"一岗双责"} <= {"五个不放过", "三必管", "党政同责", "五落实"}


def test_jieba_imports_cleanly_with_warnings_as_errors():
    code = "import warnings; warnings.simplefilter('error'); import quiz.banks.drafts.segment as s; s.lcut('安全')"
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True,
                          cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "Building prefix dict" not in done.stderr


_PIECES = ["## 检修安全", "检修前必须停机、切断电源，上锁挂牌。", "行灯电压不超过12伏。", "严禁拆掉防护罩运行！",
           "“五个不放过”是安全工作的原则。", "一要落实责任；二要排查隐患；三要加强培训。", "- 安全帽、手套、耳塞和护目镜要戴好。",
           "（一）加强领导；（二）落实措施。", "如果发现泄漏，应立即停机并报告。", "观察时间至少30秒，覆盖率达到75%。",
           "2023年2月20日，800余名干部参加培训。", "", "\n", "随便写的一句没有事实的话"]


@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=25), st.integers(min_value=1, max_value=40))
@settings(max_examples=60, deadline=None)
def test_generate_on_any_mix_of_sentences_gives_well_formed_distinct_drafts(pieces, max_drafts):
    result = generate("\n\n".join(pieces), max_drafts=max_drafts)
    assert len(result.drafts) <= max_drafts
    keys = [d.key for d in result.drafts]
    assert len(keys) == len(set(keys))
    for d in result.drafts:
        assert qtypes.validate(d.question()) == [] and well_formed(d) == []


def test_docx_and_pdf_text_is_read_with_headings(tmp_path):
    import io

    import docx

    from quiz.banks.drafts.reading import text_of
    from quiz.text import UnreadableFile

    document = docx.Document()
    document.add_heading("磨机检修", level=2)
    document.add_paragraph("检修前必须切断电源，行灯电压不超过12伏。")
    out = io.BytesIO()
    document.save(out)
    text = text_of(out.getvalue(), "教材.docx")
    assert "### 磨机检修" in text
    drafts = generate(text).drafts
    assert drafts and all(d.knowledge_point == "磨机检修" for d in drafts)
    assert any("12伏" in (d.blank or "") for d in drafts)
    with pytest.raises(UnreadableFile, match=r"\.doc"):
        text_of(b"\xd0\xcf\x11\xe0", "old.doc")
    with pytest.raises(UnreadableFile):
        text_of(b"\x00\x01", "x.xlsx")
    assert "检修" in text_of("## 检修\n\n必须停机。".encode("gbk"), "gbk.txt")
