"""Draft questions for trainers: the review page, accept / edit / reject, the upload,
the CLI; accepted drafts are ordinary questions a worker practises."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quiz.banks import draft_service, services
from quiz.banks.models import Bank, DraftRejection, Question
from quiz.extensions import db
from tests.org.factories import login, make_user

REPO = Path(__file__).resolve().parents[2]
ARTICLE = REPO / "question_banks" / "articles" / "behaviour_safety.md"


@pytest.fixture
def article(app):
    meta = services.read_article_file(ARTICLE)
    article = services.create_article(meta["title"], meta["source"], meta["published_on"], meta["body"])
    db.session.commit()
    return article


@pytest.fixture
def bank(article):
    bank = services.create_bank("行为安全草稿题库")
    db.session.commit()
    return bank


def _form(html: str, key: str) -> dict:
    """The posted fields of one draft as the page rendered them."""
    fields = {}
    for name, value in re.findall(rf'name="(d-{key}-(?:type|source|point|difficulty|explanation|fill))" value="([^"]*)"',
                                  html):
        fields[name] = [value]
    options = re.findall(rf'name="d-{key}-opt" id="[^"]*" value="([^"]*)"', html)
    if options:
        fields[f"d-{key}-opt"] = options
    stem = re.search(rf'name="d-{key}-stem"[^>]*>([^<]*)</textarea>', html).group(1)
    fields[f"d-{key}-stem"] = [stem]
    for right in re.findall(rf'name="d-{key}-right" value="(\d+)" checked', html):
        fields.setdefault(f"d-{key}-right", []).append(right)
    tf = re.search(rf'name="d-{key}-tf">.*?<option value="(true|false)" selected', html, re.S)
    if tf:
        fields[f"d-{key}-tf"] = [tf.group(1)]
    return {k: v if len(v) > 1 or k.endswith(("-opt", "-right")) else v[0] for k, v in fields.items()}


def _keys(html: str, type_name: str | None = None) -> list[str]:
    keys = re.findall(r'data-key="([0-9a-f]{32})"', html)
    if type_name:
        keys = [k for k in keys if f'name="d-{k}-type" value="{type_name}"' in html]
    return keys


def _unescape(text: str) -> str:
    import html as h

    return h.unescape(text)


def test_review_page_shows_article_with_highlighted_sentences_and_drafts(tclient, article):
    page = tclient.get(f"/banks/articles/{article.id}/drafts")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'class="sent src"' in html and "至少30秒" in html
    assert len(_keys(html)) == 80  # the default limit
    for t in ("single", "multiple", "truefalse", "fill"):
        assert _keys(html, t), t
    assert "js/drafts.js" in html and "<script>" not in html and " onclick=" not in html
    everything = tclient.get(f"/banks/articles/{article.id}/drafts?max=0").get_data(as_text=True)
    assert len(_keys(everything)) > 80


def test_accept_edit_and_bulk_accept_go_through_the_import_path(tclient, article, bank):
    html = tclient.get(f"/banks/articles/{article.id}/drafts?max=0").get_data(as_text=True)
    single = _keys(html, "single")[0]
    fields = _form(_unescape(html), single)
    fields[f"d-{single}-stem"] = "（编辑过）" + fields[f"d-{single}-stem"]
    response = tclient.post(f"/banks/articles/{article.id}/drafts",
                            data={**fields, "accept": single, "bank_id": bank.id, "category": ""})
    assert response.status_code == 302
    question = db.session.scalar(select(Question).where(Question.bank_id == bank.id))
    assert question.stem.startswith("（编辑过）") and question.type == "single"
    assert question.source_excerpt.startswith("《行为安全观察与沟通》第") and "句：" in question.source_excerpt
    assert question.category and question.current_revision is not None
    assert article in db.session.get(Bank, bank.id).articles

    # bulk: two fill drafts and a true/false, into a chosen category
    picks = _keys(html, "fill")[:2] + _keys(html, "truefalse")[:1]
    data = {"bank_id": bank.id, "category": "观察草稿", "accept_selected": "1", "pick": picks}
    for k in picks:
        data.update(_form(_unescape(html), k))
    tclient.post(f"/banks/articles/{article.id}/drafts", data=data)
    cats = db.session.scalars(select(Question.category).where(Question.bank_id == bank.id)).all()
    assert sorted(cats).count("观察草稿") == 3

    # the same again: flagged as duplicates, nothing added
    again = tclient.post(f"/banks/articles/{article.id}/drafts", data=data, follow_redirects=True)
    assert "重复" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Question).where(Question.bank_id == bank.id)) == 4
    page = tclient.get(f"/banks/articles/{article.id}/drafts?max=0").get_data(as_text=True)
    assert "中已有这道题" in page


def test_an_invalid_edit_imports_nothing_and_says_why(tclient, article, bank):
    html = _unescape(tclient.get(f"/banks/articles/{article.id}/drafts").get_data(as_text=True))
    fill = _keys(html, "fill")[0]
    fields = _form(html, fill)
    fields[f"d-{fill}-stem"] = "没有空格的题干"
    page = tclient.post(f"/banks/articles/{article.id}/drafts",
                        data={**fields, "accept": fill, "bank_id": bank.id, "category": "我填的分类"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "填空题题干中没有空格" in html
    assert ">没有空格的题干</textarea>" in html and 'value="我填的分类"' in html  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_rejected_drafts_are_remembered_for_the_article(tclient, article):
    html = _unescape(tclient.get(f"/banks/articles/{article.id}/drafts?max=0").get_data(as_text=True))
    key = _keys(html)[0]
    tclient.post(f"/banks/articles/{article.id}/drafts", data={"reject": key, f"d-{key}-stem": "x"})
    assert db.session.scalar(select(func.count()).select_from(DraftRejection)) == 1
    again = tclient.get(f"/banks/articles/{article.id}/drafts?max=0").get_data(as_text=True)
    assert key not in again and "已被拒绝" in again
    tclient.post(f"/banks/articles/{article.id}/drafts", data={"forget": "1"})
    assert key in tclient.get(f"/banks/articles/{article.id}/drafts?max=0").get_data(as_text=True)


def test_upload_a_gbk_text_file_becomes_an_article_with_drafts(tclient):
    body = "## 检修安全\n\n检修前必须停机、切断电源，上锁挂牌。\n\n行灯电压不超过12伏，严禁使用220伏照明。\n"
    response = tclient.post("/banks/drafts/upload", data={"file": (io.BytesIO(body.encode("gbk")), "检修.txt"),
                                                          "title": ""}, content_type="multipart/form-data")
    assert response.status_code == 302
    page = tclient.get(response.headers["Location"]).get_data(as_text=True)
    assert "检修" in page and "12伏" in page and _keys(page)


def test_a_scanned_pdf_gets_a_clear_message(tclient):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    page = tclient.post("/banks/drafts/upload", data={"file": (io.BytesIO(out.getvalue()), "scan.pdf")},
                        content_type="multipart/form-data")
    assert page.status_code == 200
    assert "没有文字层" in page.get_data(as_text=True)


def test_workers_may_not_open_or_post_drafts(client, article):
    worker = make_user(name="王工人")
    login(client, worker)
    assert client.get(f"/banks/articles/{article.id}/drafts").status_code == 403
    assert client.post(f"/banks/articles/{article.id}/drafts", data={"reject": "0" * 32}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(DraftRejection)) == 0


def test_a_worker_practises_an_accepted_draft_like_any_question(client, article, bank):
    result = draft_service.drafts_for_article(article)
    draft = next(d for d in result.drafts if d.type == "truefalse")
    outcome = draft_service.accept(article, bank, [draft.question(article.title)])
    db.session.commit()
    assert outcome.count == 1
    worker = make_user(name="王工人")
    login(client, worker)
    page = client.get(f"/practice/bank/{bank.id}").get_data(as_text=True)
    assert draft.stem[:15] in _unescape(page)
    question = db.session.scalar(select(Question).where(Question.bank_id == bank.id))
    answered = client.post(f"/practice/bank/{bank.id}", data={
        "question_id": question.id, "revision_id": question.current_revision_id,
        "q0": "true" if draft.answer else "false"}).get_data(as_text=True)
    assert "回答正确" in answered and "feedback right" in answered


def test_cli_prints_drafts_as_json_lines(runner, article, tmp_path):
    out = runner.invoke(args=["banks", "draft", str(article.id), "--max", "5", "--json"])
    assert out.exit_code == 0, out.output
    lines = [json.loads(line) for line in out.output.splitlines()]
    assert len(lines) == 5
    for line in lines:
        assert {"type", "stem", "options", "answer", "source", "score"} <= set(line)
        assert line["source"]["sentence"] and line["source"]["paragraph"] >= 1
    path = tmp_path / "a.md"
    path.write_text("## 应急\n\n碱液溅入眼睛时，应立即用大量流动清水冲洗至少15分钟。\n", encoding="utf-8")
    out = runner.invoke(args=["banks", "draft", str(path)])
    assert out.exit_code == 0 and "15分钟" in out.output and "共" in out.output
    missing = runner.invoke(args=["banks", "draft", "没有这篇文章"])
    assert missing.exit_code != 0 and "没有找到" in missing.output
