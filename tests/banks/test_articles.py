"""Study articles: Markdown rendered and sanitised (quiz/markup.py) on the
phone, on the bank page and in the trainer's editor preview; images uploaded
with an article, stored in the database, served to those who may read it."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quiz.banks import services
from quiz.banks.models import Article
from quiz.extensions import db
from quiz.markup import INLINE_TAGS, render_markdown, sanitize_html
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_user

pytestmark = pytest.mark.usefixtures("request_context")

ARTICLES = sorted((Path(__file__).resolve().parents[2] / "question_banks" / "articles").glob("*.md"))
ATTACKS = ("<script>alert(1)</script>\n\n<iframe src=\"https://evil.example/\"></iframe>\n\n"
           "[点我](javascript:alert(2))\n\n<a href=\"javascript:alert(3)\">链接</a>\n\n"
           "<img src=x onerror=alert(4)>\n\n![外链](https://evil.example/x.png)")


def _no_attack(html: str) -> None:
    assert "<script" not in html.replace("<script src=", "")  # the page's own scripts load by src
    assert "alert(1)</script>" not in html
    assert "<iframe" not in html
    assert not re.search(r"""<a[^>]*href=["']?javascript:""", html, re.I)
    assert not re.search(r"<[a-z][^>]*\son\w+=", html, re.I)  # no on* attribute on any tag
    assert not re.search(r"<img[^>]*evil\.example", html)


# -- the pure renderer ---------------------------------------------------------

def test_markdown_renders_structure_and_removes_scripts():
    html = str(render_markdown("## 小标题\n\n- **谁来做**：各级\n- 第二条\n\n1. 一\n2. 二\n\n"
                               "| 项目 | 要求 |\n|---|--:|\n| 观察 | 30秒 |\n\n第一行\n第二行\n\n" + ATTACKS))
    assert "<h2>小标题</h2>" in html
    assert "<li><strong>谁来做</strong>：各级</li>" in html and "<ol>" in html
    assert "<table>" in html and "<td" in html and "30秒" in html
    assert "第一行<br>" in html  # a line break in Chinese text stays a line break
    assert "**" not in html
    assert "<script" not in html and "<iframe" not in html
    assert not re.search(r"<[a-z][^>]*\son\w+=", html, re.I)
    assert not re.search(r"""<a[^>]*href=["']?javascript:""", html, re.I)
    assert '<img src="https://evil' not in html


def test_sanitize_html_keeps_formatting_and_drops_the_rest():
    dirty = ('<b onclick="x()">粗</b><em>斜</em><script>steal()</script><iframe src="/"></iframe>'
             '<a href="javascript:alert(1)">链接</a><img src=x onerror=alert(1)><style>body{}</style>')
    assert str(sanitize_html(dirty, INLINE_TAGS)) == "<b>粗</b><em>斜</em>链接"
    assert "<img" in str(sanitize_html('<img src="/x.png">'))
    assert "onerror" not in str(sanitize_html('<img src="/x.png" onerror="a()">'))


# -- articles on every page that shows them ------------------------------------

@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_shipped_articles_render_on_the_phone(app, path):
    article = services.load_article(path)
    bank = make_bank()
    exam = make_exam([make_question(bank)], article=article, assign_to=(worker := make_user(name="读者")))
    client = app.test_client()
    login(client, worker)
    for url in (f"/articles/{article.id}", f"/exams/{exam.id}/article"):
        html = client.get(url).get_data(as_text=True)
        body = html.split("<h1>", 1)[1]
        assert "<h2>" in body and "<li>" in body and "<strong>" in body, url
        assert "**" not in body and "\n## " not in body, url


def test_bank_page_and_editor_preview_render_markdown(app):
    trainer = make_user(name="培训员", roles={"trainer": [None]})
    client = app.test_client()
    login(client, trainer)
    article = services.create_article("材料", body="## 要点\n\n- **第一**：看\n\n" + ATTACKS)
    bank = services.create_bank("题库甲", articles=[article])
    db.session.commit()
    page = client.get(f"/banks/{bank.id}").get_data(as_text=True)
    assert "<strong>第一</strong>" in page and "**" not in page
    _no_attack(page)
    # the editor's 预览 shows the rendered text and saves nothing
    r = client.post(f"/banks/articles/{article.id}/edit",
                    data={"title": "材料", "body": "## 新标题\n\n| 列 | 值 |\n|---|---|\n| a | 1 |\n\n" + ATTACKS,
                          "preview": "1"})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    preview = page.split("article-preview", 1)[1]
    assert "<h2>新标题</h2>" in preview and "<table>" in preview
    _no_attack(page)
    assert "## 新标题" in page  # the textarea keeps what was typed
    db.session.expire_all()
    assert db.session.get(Article, article.id).body.startswith("## 要点")


def test_article_attacks_never_reach_the_phone(app):
    article = services.create_article("材料", body=ATTACKS)
    db.session.commit()
    client = app.test_client()
    login(client, make_user(name="员工"))
    _no_attack(client.get(f"/articles/{article.id}").get_data(as_text=True))


# -- images --------------------------------------------------------------------

def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_trainer_uploads_an_image_that_workers_see_in_the_article(app):
    from PIL import Image

    from quiz.banks.models import ArticleImage

    instance = Path(app.config["INSTANCE_DIR"])
    files_before = sorted(p for p in instance.rglob("*") if p.is_file())
    trainer = make_user(name="培训员", roles={"trainer": [None]})
    article = services.create_article("带图的材料", body="## 现场\n\n看图：")
    db.session.commit()
    client = app.test_client()
    login(client, trainer)
    r = client.post(f"/banks/articles/{article.id}/images",
                    data={"image": (io.BytesIO(_png(3200, 1200)), "现场照片.png")}, content_type="multipart/form-data")
    assert r.status_code == 302
    image = db.session.scalar(select(ArticleImage))
    assert image.article_id == article.id and image.mime == "image/jpeg"  # a photo without transparency
    with Image.open(io.BytesIO(image.data)) as stored:
        assert stored.size == (1600, 600)  # shrunk to fit, proportions kept
    # in the database, not on the app server's disk (several servers share it)
    assert sorted(p for p in instance.rglob("*") if p.is_file()) == files_before
    edit = client.get(f"/banks/articles/{article.id}/edit").get_data(as_text=True)
    line = f"![现场照片](/articles/images/{image.id})"
    assert line in edit  # the line to paste into the text
    article.body += "\n\n" + line
    db.session.commit()

    worker = app.test_client()
    login(worker, make_user(name="员工"))
    page = worker.get(f"/articles/{article.id}").get_data(as_text=True)
    assert f'<img src="/articles/images/{image.id}" alt="现场照片">' in page
    r = worker.get(f"/articles/images/{image.id}")
    assert r.status_code == 200 and r.mimetype == "image/jpeg" and r.data == image.data
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert app.test_client().get(f"/articles/images/{image.id}").status_code == 302  # signed in only
    assert worker.get("/articles/images/999999").status_code == 404
    # workers may not add or delete images
    assert worker.post(f"/banks/articles/{article.id}/images",
                       data={"image": (io.BytesIO(_png(10, 10)), "x.png")},
                       content_type="multipart/form-data").status_code == 403
    assert worker.post(f"/banks/articles/images/{image.id}/delete").status_code == 403
    r = client.post(f"/banks/articles/images/{image.id}/delete")
    assert r.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ArticleImage)) == 0


@pytest.mark.parametrize("payload, name", [
    (b"<script>alert(1)</script>", "evil.png"),
    (b"GIF89a" + b"\0" * 40, "anim.gif"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "broken.png"),
])
def test_an_upload_that_is_not_a_usable_picture_is_refused(app, payload, name):
    from quiz.banks.models import ArticleImage

    trainer = make_user(name="培训员", roles={"trainer": [None]})
    article = services.create_article("材料", body="正文")
    db.session.commit()
    client = app.test_client()
    login(client, trainer)
    r = client.post(f"/banks/articles/{article.id}/images", data={"image": (io.BytesIO(payload), name)},
                    content_type="multipart/form-data", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "PNG" in page and "JPEG" in page  # says what to upload instead
    assert db.session.scalar(select(func.count()).select_from(ArticleImage)) == 0


def test_an_oversized_upload_is_refused_with_its_limit(app):
    from quiz.banks.models import ArticleImage

    trainer = make_user(name="培训员", roles={"trainer": [None]})
    article = services.create_article("材料", body="正文")
    db.session.commit()
    client = app.test_client()
    login(client, trainer)
    big = _png(10, 10) + b"\0" * (services.IMAGE_MAX_BYTES + 10)
    r = client.post(f"/banks/articles/{article.id}/images", data={"image": (io.BytesIO(big), "big.png")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "8 MB" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ArticleImage)) == 0


def test_table_alignment_becomes_a_class_not_a_style_attribute():
    """The Content-Security-Policy allows no style attributes: a centred column must still centre."""
    from quiz.markup import render_markdown, sanitize_html

    html = str(render_markdown("| 项目 | 数值 |\n|:-:|--:|\n| 观察 | 30秒 |"))
    assert 'class="align-center"' in html and 'class="align-right"' in html and "style=" not in html
    assert "class=" not in str(sanitize_html('<td class="evil">x</td><span class="x">y</span>'))
