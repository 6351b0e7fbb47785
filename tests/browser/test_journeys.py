"""End-to-end journeys, as the people who use the platform would do them.

Data is built through the real services (the shipped bank loader, the
trainer's exam and assignment services, the exam engine) and then the UI is
driven like a person: a worker on a 360×740 phone in WeChat's browser, a
head and a trainer on a 1280×800 desktop. Each journey is one test; every
step leaves a screenshot in test-artifacts/ (``journey-*.png``).
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Error as PlaywrightError
from pypdf import PdfReader
from sqlalchemy import select

from quiz.banks.models import Bank, Question
from quiz.banks.shipped import load_shipped_banks
from quiz.certificates.models import Certificate
from quiz.db import utcnow
from quiz.exams.attempt import answers as attempt_answers
from quiz.exams.attempt import finish as attempt_finish
from quiz.exams.attempt import start as attempt_start
from quiz.exams.assignments import assigning
from quiz.exams.trainer import exam_setup
from quiz.exams.models import Attempt
from quiz.extensions import db
from quiz.org.models import User
from tests.banks.factories import make_bank, make_question
from tests.browser.pages import PHONE, no_horizontal_scroll, sign_in, wait_for_sync_mark
from tests.org.factories import PASSWORD, make_unit, make_user

REPO = Path(__file__).resolve().parents[2]
DESKTOP = {"width": 1280, "height": 800}
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 10; M2006C3LC) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Version/4.0 Chrome/86.0.4240.99 Mobile Safari/537.36 MicroMessenger/8.0.30.2260 "
             "NetType/WIFI Language/zh_CN")


# -- contexts ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def desktop(browser, live_server):
    """A fresh desktop page (1280×800), for trainers and heads at their desks."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  base_url=live_server, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


@pytest.fixture
def stranger(browser, live_server):
    """A phone with no session at all: someone who scans the QR code on a printed certificate."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=WECHAT_UA,
                                  base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


# -- data -------------------------------------------------------------------------------------------------------------

class Org:
    """中铝山西新材料 → 氧化铝厂 → 矿制工区 → 一班/二班, and 电解厂 → 电解一工区 → 三班."""

    def __init__(self):
        self.company = make_unit("中铝山西新材料", kind="company")
        self.alumina = make_unit("氧化铝厂", self.company, kind="unit")
        self.ore = make_unit("矿制工区", self.alumina, kind="section")
        self.team1 = make_unit("一班", self.ore, kind="team")
        self.team2 = make_unit("二班", self.ore, kind="team")
        self.smelter = make_unit("电解厂", self.company, kind="unit")
        self.pot = make_unit("电解一工区", self.smelter, kind="section")
        self.team3 = make_unit("三班", self.pot, kind="team")
        self.trainer = make_user("T9001", name="李培训", unit=self.company, roles={"trainer": [None]})


def _shipped_bank(tmp_path: Path) -> Bank:
    """行为安全观察与沟通, loaded the way `demo load` loads it (the shipped file and its article)."""
    folder = tmp_path / "banks"
    shutil.copytree(REPO / "question_banks" / "articles", folder / "articles")
    shutil.copy(REPO / "question_banks" / "behaviour_safety.txt", folder)
    lines = load_shipped_banks(folder)
    assert len(lines) == 1 and "错误" not in lines[0], lines
    return db.session.scalar(select(Bank))


def _questions_of(bank: Bank, wanted: list[str]) -> list[Question]:
    """The first live question of each type named in ``wanted`` (a type may repeat)."""
    by_type: dict[str, list[Question]] = {}
    for q in db.session.scalars(select(Question).where(Question.bank_id == bank.id).order_by(Question.id)):
        by_type.setdefault(q.type, []).append(q)
    return [by_type[t].pop(0) for t in wanted]


def _exam(actor: User, title: str, questions: list[Question], points: float, *, unit_ids=(), user_ids=(),
          article_id=None, pass_mark: float, **settings):
    """An exam built and assigned through the trainer's services, committed."""
    data = exam_setup.ExamData(title=title, pass_mark=pass_mark, article_id=article_id,
                                     fixed=[(q.id, points) for q in questions], **settings)
    exam = exam_setup.save_exam(None, data, actor)
    assignment = assigning.assign(exam, actor, unit_ids=list(unit_ids), user_ids=list(user_ids),
                                         due_at=utcnow() + timedelta(days=7))
    db.session.commit()
    return exam, assignment


def _fresh():
    """End this thread's read snapshot: the server wrote since."""
    db.session.rollback()


# -- the phone's answers ---------------------------------------------------------------------------------------------

def _answer(page, item) -> None:
    """Give the right answer to one attempt item, as a thumb would."""
    pos, rev = item.position, item.revision
    form = f"#q{pos}"
    if rev.type == "single":
        page.locator(f"{form} input[name='q{pos}'][value='{rev.answer[0]}']").check()
    elif rev.type == "multiple":
        for value in rev.answer:
            page.locator(f"{form} input[name='q{pos}'][value='{value}']").check()
    elif rev.type == "truefalse":
        page.locator(f"{form} input[name='q{pos}'][value='{'true' if rev.answer else 'false'}']").check()
    elif rev.type == "fill":
        blanks = page.locator(f"{form} input.blank")
        assert blanks.count() == len(rev.answer)
        for i, alternatives in enumerate(rev.answer):
            blanks.nth(i).fill(alternatives[0])
    elif rev.type == "short":
        page.locator(f"{form} textarea").fill("先观察，再沟通：肯定安全行为，指出不安全行为并约定改进。")
    else:  # pragma: no cover
        raise AssertionError(rev.type)


def _mark_text(page, pos: int) -> str:
    return page.locator(f"#q{pos} [data-sync]").inner_text()


def _sw_ready(page) -> None:
    page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.ready.then(function () { return 1; }) : 1")


def _open_menu(page) -> None:
    page.click("details.menu summary")


def _menu(page, label: str) -> None:
    _open_menu(page)
    page.click(f"details.menu nav a:text-is('{label}')")


def _shot(page, artifacts: Path, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(artifacts / f"journey-{name}.png"), full_page=full_page)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


# -- 1. worker, start to certificate ----------------------------------------------------------------------------------

def test_worker_from_task_to_verified_certificate(page, stranger, app, artifacts, tmp_path):
    org = Org()
    worker = make_user("030117", name="张晓明", unit=org.team1, job_type="磨工")
    bank = _shipped_bank(tmp_path)
    article = bank.articles[0]
    # six questions of four kinds, 10 points each; the fill-in sits where the worker is offline
    questions = _questions_of(bank, ["single", "multiple", "truefalse", "fill", "single", "truefalse"])
    exam, _assignment = _exam(org.trainer, "行为安全观察与沟通 考核", questions, 10, unit_ids=[org.alumina.id],
                              article_id=article.id, pass_mark=36, time_limit_minutes=20, review="full")
    page.set_default_timeout(15000)

    # signs in: the home page names the task, its due date and what to study first
    sign_in(page, worker.employee_no, PASSWORD)
    page.wait_for_url(lambda url: url.endswith("/"))
    task = page.locator("section.exam-panel article.task", has_text=exam.title)
    assert task.count() == 1
    assert "未开始" in task.inner_text() and "截止" in task.inner_text()
    assert article.title in task.locator(".task-article").inner_text()
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "1-01-home-360")

    # studies the article
    task.locator(".task-article a").click()
    page.wait_for_url(f"**/exams/{exam.id}/article")
    assert page.locator("article.article h1").inner_text() == article.title
    assert page.locator("article.article p").count() >= 3
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "1-02-article-360")

    # goes to the test and starts the clock
    page.click("text=学完了，去考试")
    page.wait_for_url(f"**/exams/{exam.id}")
    assert "6 道" in page.locator("dl.facts").inner_text()
    assert "20 分钟" in page.locator("dl.facts").inner_text()
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "1-03-intro-360")
    page.click("#start")
    page.wait_for_url("**/attempts/*")
    assert page.locator("#countdown").inner_text().startswith(("19:", "20:"))
    assert no_horizontal_scroll(page)
    _fresh()
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == worker.id))
    items = sorted(attempt.items, key=lambda i: i.position)
    assert len(items) == 6

    # answers the first three on the plant Wi-Fi: each says 已保存
    for item in items[:3]:
        _answer(page, item)
        wait_for_sync_mark(page, item.position, "saved")
        assert _mark_text(page, item.position) == "已保存"
        _shot(page, artifacts, f"1-04-question-{item.position + 1}-360", full_page=False)
        page.click(f"#q{item.position} button.next")
    assert page.locator("#answered-count").inner_text() == "3"

    # the Wi-Fi drops: two more answers wait on the phone, the banner says they are safe
    page.context.set_offline(True)
    for item in items[3:5]:
        _answer(page, item)
        page.wait_for_function(
            f"() => document.querySelector('#q{item.position} [data-sync]').textContent.indexOf('等待同步') >= 0")
        page.click(f"#q{item.position} button.next")
    page.wait_for_selector("#net-banner:not([hidden])")
    assert "答案已安全保存在手机上" in page.locator("#net-banner").inner_text()
    for item in items[3:5]:
        assert _mark_text(page, item.position) == "等待同步"
    assert page.locator("#answered-count").inner_text() == "5"
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "1-05-offline-360", full_page=False)
    _fresh()
    assert [i.response for i in db.session.get(Attempt, attempt.id).items][3:5] == [None, None]

    # (a reload while offline is its own journey below: on a first visit it breaks the page)

    # back online: the queue goes up by itself
    page.context.set_offline(False)
    wait_for_sync_mark(page, 3, "saved")
    wait_for_sync_mark(page, 4, "saved")
    page.wait_for_selector("#net-banner[hidden]", state="attached")
    _fresh()
    saved = [i.response for i in sorted(db.session.get(Attempt, attempt.id).items, key=lambda i: i.position)]
    assert saved[3] == [items[3].revision.answer[0][0]] and saved[4] is not None

    # the last one, then submit: the confirmation says nothing is left unanswered
    page.locator("#q5").wait_for(state="attached")
    if page.locator("#q5").is_hidden():
        page.click("nav.qmap button[data-goto='5']")
    _answer(page, items[5])
    wait_for_sync_mark(page, 5, "saved")
    page.click("#q5 button.submit")
    page.wait_for_selector("#confirm:not([hidden])")
    assert page.locator("#confirm-unanswered").inner_text() == "所有题目都已作答。"
    _shot(page, artifacts, "1-07-confirm-360", full_page=False)
    page.click("#confirm-yes")
    page.wait_for_url("**/result")
    assert page.locator("#score").inner_text().replace(" ", "").startswith("60/60")
    assert "通过" in page.locator("#verdict").inner_text()
    assert "未通过" not in page.locator("#verdict").inner_text()
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "1-08-result-360")

    # 我的任务 now says passed, with the score
    page.click("text=返回我的任务")
    page.wait_for_url("**/tasks")
    task = page.locator("article.task", has_text=exam.title)
    assert "已通过 · 60 分" in task.inner_text()  # issue 11.3: the passed card leads with the score

    # 我的证书 inside WeChat (the phone's user agent is WeChat's): the certificate is a picture to keep,
    # since WeChat's browser can neither download nor keep a PDF
    _menu(page, "我的证书")
    page.wait_for_url("**/certificates/")
    card = page.locator("section.cert", has_text=exam.title)
    assert card.count() == 1
    _fresh()
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == worker.id))
    assert cert is not None and cert.serial in card.inner_text()
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "1-09-certificates-360")
    assert card.locator("a:text-is('下载')").count() == 0
    card.locator("a.btn.primary").click()
    page.wait_for_url(f"**/certificates/{cert.id}/image")
    page.wait_for_function("() => document.getElementById('certificate-image').naturalWidth > 1000")
    assert "长按图片保存到相册" in page.content()
    box = page.locator("#certificate-image").bounding_box()
    assert box["width"] <= 360 and box["width"] >= 300  # full width of the phone, no sideways scroll
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "1-09b-certificate-picture-360")
    png = page.request.get(page.locator("#certificate-image").get_attribute("src"))
    assert png.status == 200 and png.headers["content-type"] == "image/png"
    (tmp_path / "page.png").write_bytes(png.body())

    # the PDF is still there for a browser outside WeChat
    data = stranger.request.get(f"/certificates/{cert.id}.pdf").body()  # signed out: sent to sign in
    assert not data.startswith(b"%PDF-")
    with app.test_request_context():
        from quiz.certificates import pdf as cert_pdf, services as cert_services

        data = cert_pdf.render_one(cert, cert_services.current_template())
    text = _squash("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert "张晓明" in text and cert.serial in text and exam.title.replace(" ", "") in text

    # the QR code on the picture leads to /verify/<code>: valid, name masked, nothing more personal
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True,
                             text=True).stdout.strip()
    match = re.search(r"(/verify/[0-9A-Za-z]+)$", decoded)
    assert match, decoded
    assert match.group(1) == f"/verify/{cert.code}"
    stranger.goto(match.group(1))
    result = stranger.locator("#result")
    assert result.get_attribute("data-status") == "valid"
    assert "有效" in result.inner_text()
    content = stranger.content()
    assert "张*明" in content
    assert "张晓明" not in content and worker.employee_no not in content
    assert no_horizontal_scroll(stranger)
    _shot(stranger, artifacts, "1-10-verify-signed-out-360")


# -- 1b. worker, reloading while the Wi-Fi is down -------------------------------------------------------------------

def _started(page, org: Org, n: int = 4):
    """A worker signed in on the phone who has just tapped 开始考试 (the attempt page's first visit)."""
    worker = make_user("030120", name="杨晓东", unit=org.team1)
    bank = make_bank("皮带机安全")
    questions = [make_question(bank, "single", stem=f"第{i + 1}题：皮带机跑偏时怎么办？") for i in range(n)]
    exam, _assignment = _exam(org.trainer, "皮带机安全考试", questions, 25, user_ids=[worker.id], pass_mark=60,
                              time_limit_minutes=20)
    sign_in(page, worker.employee_no, PASSWORD)
    page.wait_for_url(lambda url: url.endswith("/"))
    page.goto(f"/exams/{exam.id}")
    page.click("#start")
    page.wait_for_url("**/attempts/*")
    _sw_ready(page)
    _fresh()
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == worker.id))
    return attempt, sorted(attempt.items, key=lambda i: i.position)


def test_worker_reloads_offline_on_the_first_visit_of_the_exam_page(page, app, artifacts):
    """Start, answer, the Wi-Fi drops, answer, reload: the paper and the queued answers are still there.

    The usual way a worker meets the exam page is one visit straight from 开始考试: the page
    must survive an offline reload then, not only after a second online visit."""
    org = Org()
    attempt, items = _started(page, org)
    _answer(page, items[0])
    wait_for_sync_mark(page, 0, "saved")
    page.click("#q0 button.next")
    page.context.set_offline(True)
    _answer(page, items[1])
    page.wait_for_selector("#net-banner:not([hidden])")
    try:
        page.reload()  # the plant Wi-Fi is still down
    except PlaywrightError as exc:
        pytest.fail("reloading the exam page offline on its first visit shows the browser's error page "
                    f"({exc.message.splitlines()[0]}): the service worker has no copy of it", pytrace=False)
    page.wait_for_selector("#q1", state="attached")
    assert page.locator(f"#q1 input[name='q1'][value='{items[1].revision.answer[0]}']").is_checked()
    assert _mark_text(page, 1) == "等待同步"
    _shot(page, artifacts, "1b-01-first-visit-offline-reload-360", full_page=False)
    page.context.set_offline(False)
    wait_for_sync_mark(page, 1, "saved")


def test_worker_reloads_offline_and_still_sees_answers_saved_before_the_drop(page, app, artifacts):
    """Answers the server confirmed (已保存) before the Wi-Fi dropped stay shown as saved after an
    offline reload; otherwise the worker sees them blank (未作答) and believes they are lost."""
    org = Org()
    attempt, items = _started(page, org)
    page.reload()  # a second online visit: the service worker holds a copy of the page from here on
    _sw_ready(page)
    for item in items[:2]:
        _answer(page, item)
        wait_for_sync_mark(page, item.position, "saved")
        page.click(f"#q{item.position} button.next")
    page.context.set_offline(True)
    _answer(page, items[2])
    page.wait_for_selector("#net-banner:not([hidden])")
    page.reload()
    page.wait_for_selector("#q2", state="attached")
    _shot(page, artifacts, "1b-02-offline-reload-saved-answers-360", full_page=False)
    assert page.locator(f"#q2 input[name='q2'][value='{items[2].revision.answer[0]}']").is_checked()
    assert page.locator("#answered-count").inner_text() == "3"
    for item in items[:2]:
        assert page.locator(f"#q{item.position} input[name='q{item.position}']"
                            f"[value='{item.revision.answer[0]}']").is_checked()
        assert _mark_text(page, item.position) == "已保存"


# -- 2. head, who has not finished -----------------------------------------------------------------------------------

def _take(user, exam, assignment, right: bool, submit: bool = True) -> Attempt:
    """A worker's attempt through the exam engine: every answer right or every answer wrong."""
    attempt = attempt_start.start_attempt(user, exam, assignment=assignment)
    for item in attempt.items:
        answer = item.revision.answer[0]
        attempt_answers.save_answer(attempt, item.position, seq=1, values=[str(answer if right else (answer + 1) % 4)])
    if submit:
        attempt_finish.submit(attempt)
    return attempt


def _chase_rows(page) -> set[str]:
    return set(page.locator("#chase tbody tr[data-employee]").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-employee'))"))


def test_head_chases_who_has_not_finished(desktop, page, app, artifacts, tmp_path):
    org = Org()
    head = make_user("H0001", name="王厂长", unit=org.alumina, roles={"head": [org.alumina.id]})
    people = {
        # 一班: one passed, one failed, one not started
        "A101": ("赵一", org.team1, "passed"), "A102": ("钱二", org.team1, "failed"),
        "A103": ("孙三", org.team1, None),
        # 二班: one passed, one still answering
        "A201": ("李四", org.team2, "passed"), "A202": ("周五", org.team2, "in_progress"),
        # 电解厂: a head of 氧化铝厂 must see none of them
        "D301": ("吴六", org.team3, None), "D302": ("郑七", org.team3, "failed"),
    }
    users = {no: make_user(no, name=name, unit=unit, job_type="磨工") for no, (name, unit, _s) in people.items()}
    bank = make_bank("巡检安全")
    questions = [make_question(bank, "single") for _ in range(4)]
    exam, assignment = _exam(org.trainer, "矿制工区 安全规程考试", questions, 25, unit_ids=[org.company.id],
                             pass_mark=60)
    for no, (_name, _unit, state) in people.items():
        if state:
            _take(users[no], exam, assignment, right=state == "passed", submit=state != "in_progress")
    db.session.commit()
    in_subtree = {u.employee_no for u in [head, *users.values()] if u.unit.path.startswith(org.alumina.path)}
    not_passed = in_subtree - {"A101", "A201"}
    assert not_passed == {"H0001", "A102", "A103", "A202"}

    # at the desk: 完成情况 from the menu
    sign_in(desktop, head.employee_no, PASSWORD)
    desktop.wait_for_url(lambda url: url.endswith("/"))
    _menu(desktop, "完成情况")
    desktop.wait_for_url("**/reports/")
    row = desktop.locator(f"#assignments tr[data-assignment='{assignment.id}']")
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == exam.title
    assert cells[2:7] == ["6", "2", "1", "2", "1"]  # 应考 未开始 进行中 通过 未通过: his subtree only
    assert "电解厂" not in desktop.content()
    _shot(desktop, artifacts, "2-01-completion-1280")

    # drills down: 氧化铝厂 → 矿制工区 → 一班
    row.locator("td a").first.click()
    desktop.wait_for_url("**/reports/units**")
    assert desktop.locator("#children tr[data-unit]").all_inner_texts()[0].startswith("氧化铝厂")
    assert desktop.locator(f"#children tr[data-unit='{org.smelter.id}']").count() == 0
    desktop.click(f"#children tr[data-unit='{org.alumina.id}'] a")
    desktop.wait_for_url(f"**/reports/units/{org.alumina.id}**")
    desktop.click(f"#children tr[data-unit='{org.ore.id}'] a")
    desktop.wait_for_url(f"**/reports/units/{org.ore.id}**")
    teams = desktop.locator("#children tr[data-unit] td:first-child").all_inner_texts()
    assert teams == ["一班", "二班"]  # worst first: 一班 has one pass in three
    _shot(desktop, artifacts, "2-02-section-1280")
    desktop.click(f"#children tr[data-unit='{org.team1.id}'] a")
    desktop.wait_for_url(f"**/reports/units/{org.team1.id}**")
    assert desktop.locator("nav.crumbs").inner_text().replace(" ", "").endswith("氧化铝厂/矿制工区/一班")
    assert {t.split("\t")[0] for t in desktop.locator("#people tbody tr").all_inner_texts()} == {
        "A101", "A102", "A103"}
    _shot(desktop, artifacts, "2-03-team-1280")

    # the team's own who-to-chase list
    desktop.click("text=本单位待督促名单")
    desktop.wait_for_url("**/reports/chase**")
    assert _chase_rows(desktop) == {"A102", "A103"}
    _shot(desktop, artifacts, "2-04-team-chase-1280")

    # the whole subtree's list, from the assignment's 督促 link, exported
    _menu(desktop, "完成情况")
    desktop.wait_for_url("**/reports/")
    desktop.locator(f"#assignments tr[data-assignment='{assignment.id}'] a:text-is('督促')").click()
    desktop.wait_for_url("**/reports/chase**")
    page_people = _chase_rows(desktop)
    assert page_people == not_passed
    assert "郑七" not in desktop.content() and "吴六" not in desktop.content()
    _shot(desktop, artifacts, "2-05-chase-1280")

    with desktop.expect_download() as info:
        desktop.click("p.exports a:text-is('导出 Excel')")
    xlsx = info.value
    assert xlsx.suggested_filename.endswith(".xlsx")
    xlsx_path = tmp_path / xlsx.suggested_filename
    xlsx.save_as(xlsx_path)
    book = openpyxl.load_workbook(xlsx_path)
    rows = list(book["待督促"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    excel_people = {r[header.index("工号")] for r in body}
    assert excel_people == not_passed
    assert all(r[header.index("二级单位")] == "氧化铝厂" for r in body)
    assert not any("电解" in str(v) for r in book["明细"].iter_rows(values_only=True) for v in r)

    with desktop.expect_download() as info:
        desktop.click("p.exports a:text-is('导出 CSV')")
    csv_path = tmp_path / "chase.csv"
    info.value.save_as(csv_path)
    raw = csv_path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel in Chinese opens it right
    csv_rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["工号"] for r in csv_rows} == page_people == excel_people
    # and on each person's name and status, to the person
    status_col = header.index("状态")
    on_page = {}
    for tr in desktop.locator("#chase tbody tr[data-employee]").all():
        cells = tr.locator("td").all_inner_texts()
        on_page[tr.get_attribute("data-employee")] = (cells[5], cells[status_col])
    in_excel = {r[header.index("工号")]: (r[header.index("姓名")], r[status_col]) for r in body}
    in_csv = {r["工号"]: (r["姓名"], r["状态"]) for r in csv_rows}
    assert on_page == in_excel == in_csv
    assert on_page["A202"][1] == "进行中" and on_page["A102"][1] == "未通过" and on_page["A103"][1] == "未开始"

    # the same list on the head's phone: readable, no sideways scrolling of the page
    sign_in(page, head.employee_no, PASSWORD)
    page.wait_for_url(lambda url: url.endswith("/"))
    page.goto(desktop.url.replace(desktop.url.split("/reports")[0], ""))
    assert _chase_rows(page) == not_passed
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "2-06-chase-360")


# -- 3. trainer, bank upload from the browser -------------------------------------------------------------------------

TEXT_BANK = """一、单选题
1. 皮带机运行中跑偏，正确的做法是（ ）。
A. 用手把皮带推正
B. 停机、挂牌上锁后按规程调整
C. 继续运行，交班时再处理
D. 用铁棍在运行中拨正
答案：B
解析：运行中的设备严禁清理、调整和检修。
2. 进入受限空间作业前首先要（ ）。
A. 通风并检测气体
B. 直接进入
C. 一个人快速进出
答案：E
二、判断题
3. 挂牌上锁后可以不再确认能量已经隔离。
答案：错误
三、填空题
4. 安全生产工作坚持安全第一、____、综合治理的方针。
答案：预防为主
"""


def _upload(desktop, name: str, data: bytes, mime: str, new_title: str | None = None) -> None:
    desktop.goto("/banks/upload")
    desktop.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    if new_title:
        desktop.fill("#new_title", new_title)
    desktop.click("form.card button[type=submit]")


def test_trainer_uploads_banks_from_the_browser(desktop, app, artifacts):
    org = Org()
    sign_in(desktop, org.trainer.employee_no, PASSWORD)
    desktop.wait_for_url(lambda url: url.endswith("/"))
    _menu(desktop, "题库")
    desktop.wait_for_url("**/banks")
    desktop.click("text=上传题库文件")
    desktop.wait_for_url("**/banks/upload")

    # a .txt with one wrong key: the preview names the line and how to fix it
    _upload(desktop, "磨工安全.txt", TEXT_BANK.encode("utf-8"), "text/plain", new_title="磨工安全操作")
    desktop.wait_for_url(re.compile(r".*/banks/upload/[\w-]+$"))
    errors = desktop.locator("table.issues.errors tbody tr")
    assert errors.count() == 1
    where, message = errors.locator("td").all_inner_texts()
    assert where == "第 13 行"
    assert "“E”" in message and "A–C" in message and "请改成选项字母" in message
    assert "识别出 3 道题" in desktop.content()
    assert desktop.locator(".preview-item").count() == 3
    _shot(desktop, artifacts, "3-01-text-preview-1280")

    # imports only the valid questions
    button = desktop.locator("button:has-text('只导入正确的 3 道题')")
    desktop.check("input[name=valid_only]")
    button.click()
    desktop.wait_for_selector("text=导入完成")
    assert "已向题库“磨工安全操作”导入 3 道题" in desktop.content()
    assert "有 1 处错误的题目没有导入" in desktop.content()
    _shot(desktop, artifacts, "3-02-text-imported-1280")
    desktop.click("text=查看题库")
    desktop.wait_for_url("**/banks/*")
    page_text = desktop.content()
    for stem in ("皮带机运行中跑偏", "挂牌上锁后可以不再确认能量已经隔离", "安全第一"):
        assert stem in page_text
    assert "进入受限空间作业前首先要" not in page_text
    _shot(desktop, artifacts, "3-03-bank-1280")
    _fresh()
    bank = db.session.scalar(select(Bank).where(Bank.title == "磨工安全操作"))
    assert sorted(q.type for q in bank.questions) == ["fill", "single", "truefalse"]

    # the platform's own Excel template, filled in by the trainer
    from quiz.banks.formats.sheet import template

    book = openpyxl.load_workbook(io.BytesIO(template()))
    sheet = book["题目"]
    header = [c.value for c in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)  # the examples go, as 填写说明 says

    def row(**values):
        sheet.append([values.get(h) for h in header])

    row(题型="单选题", 题目="球磨机检修前必须（ ）。", 选项A="断电挂牌上锁", 选项B="边运行边检修", 选项C="只需告诉班长",
        正确答案="A", 分值=2, 分类="检修")
    row(题型="多选题", 题目="巡检时应当检查（ ）。", 选项A="轴承温度", 选项B="异常声响", 选项C="润滑油位",
        选项D="手机电量", 正确答案="ABC")
    row(题型="判断题", 题目="化灰机运转时可以伸手清理积料。", 正确答案="错")
    out = io.BytesIO()
    book.save(out)
    _upload(desktop, "巡检题库.xlsx", out.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", new_title="巡检与检修")
    desktop.wait_for_url(re.compile(r".*/banks/upload/[\w-]+$"))
    assert desktop.locator("table.issues.errors").count() == 0
    assert "识别出 3 道题" in desktop.content()
    _shot(desktop, artifacts, "3-04-xlsx-preview-1280")
    desktop.click("button:has-text('确认导入 3 道题')")
    desktop.wait_for_selector("text=导入完成")
    assert "已向题库“巡检与检修”导入 3 道题" in desktop.content()
    desktop.click("text=查看题库")
    desktop.wait_for_url("**/banks/*")
    assert "球磨机检修前必须" in desktop.content() and "化灰机运转时可以伸手清理积料" in desktop.content()

    # a legacy Word .doc: told plainly to save it as .docx
    doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048
    _upload(desktop, "旧题库.doc", doc, "application/msword")
    error = desktop.locator(".field.has-error .error")
    error.wait_for()
    assert "另存为 .docx" in error.inner_text()
    assert desktop.url.endswith("/banks/upload")
    _shot(desktop, artifacts, "3-05-doc-refused-1280")


# -- 4. trainer, live view and grading -------------------------------------------------------------------------------

def test_trainer_grades_a_short_answer_and_the_worker_sees_the_score(page, desktop, app, artifacts):
    org = Org()
    worker = make_user("030118", name="陈建国", unit=org.team2)
    bank = make_bank("行为安全沟通")
    single = make_question(bank, "single", stem="发现同事不戴安全帽，首先应当（ ）。",
                           options=["视而不见", "上前提醒并说明风险", "拍照举报", "等下班再说"], answer=[1])
    short = make_question(bank, "short", stem="简述行为安全观察的步骤。",
                          answer={"reference": "观察、沟通、纠正、记录", "keywords": ["观察", "沟通"]})
    exam, _assignment = _exam(org.trainer, "行为安全 简答考核", [single, short], 5, user_ids=[worker.id],
                              pass_mark=6, time_limit_minutes=15, review="full")

    # the worker takes it on the phone
    sign_in(page, worker.employee_no, PASSWORD)
    page.wait_for_url(lambda url: url.endswith("/"))
    page.locator("article.task", has_text=exam.title).locator("a.btn").click()
    page.click("#start")
    page.wait_for_url("**/attempts/*")
    _fresh()
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == worker.id))
    items = sorted(attempt.items, key=lambda i: i.position)
    for item in items:
        _answer(page, item)
        wait_for_sync_mark(page, item.position, "saved")
        if item.position < len(items) - 1:
            page.click(f"#q{item.position} button.next")
    page.click(f"#q{items[-1].position} button.submit")
    page.click("#confirm-yes")
    page.wait_for_url("**/result")
    result_url = page.url
    assert "简答题待阅卷" in page.locator("#verdict").inner_text()
    assert "通过" not in page.locator("#verdict").inner_text()
    _shot(page, artifacts, "4-01-result-pending-360")
    page.goto("/tasks")
    assert "待阅卷" in page.locator("article.task", has_text=exam.title).inner_text()

    # the trainer sees it waiting, in the live view and the grading queue
    sign_in(desktop, org.trainer.employee_no, PASSWORD)
    desktop.wait_for_url(lambda url: url.endswith("/"))
    assert "待评阅简答 1 道" in desktop.locator("#trainer-panel").inner_text()
    desktop.goto(f"/trainer/exams/{exam.id}/live")
    row = desktop.locator(f"#live-table tr[data-user='{worker.employee_no}']")
    assert row.get_attribute("data-status") == "pending"
    assert "待评阅" in row.inner_text() and "2 / 2" in row.locator(".answered").inner_text()
    _shot(desktop, artifacts, "4-02-live-1280")
    _menu(desktop, "评阅")
    desktop.wait_for_url("**/trainer/grading/*")
    assert worker.name in desktop.content() and short.stem in desktop.content()
    assert "先观察，再沟通" in desktop.locator("#response").inner_text()
    _shot(desktop, artifacts, "4-03-grading-1280")
    desktop.fill("#score", "4")
    desktop.fill("#comment", "要点齐全，记录一步可以再具体些。")
    desktop.click("button:has-text('保存并评下一道')")
    desktop.wait_for_selector(".flash")
    assert "陈建国 的试卷已全部评完：9 分" in desktop.locator(".flash").inner_text()
    assert "没有待评阅的答案" in desktop.content()
    _shot(desktop, artifacts, "4-04-graded-1280")
    desktop.goto(f"/trainer/exams/{exam.id}/live")
    assert desktop.locator(f"#live-table tr[data-user='{worker.employee_no}']").get_attribute("data-status") \
        == "passed"

    # back on the phone the result is a score now
    page.goto(result_url)
    assert page.locator("#score").inner_text().replace(" ", "").startswith("9/10")
    assert "通过" in page.locator("#verdict").inner_text() and "待阅卷" not in page.locator("#verdict").inner_text()
    assert "要点齐全" in page.content()
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "4-05-result-graded-360")
    page.goto("/tasks")
    task = page.locator("article.task", has_text=exam.title).inner_text()
    assert "已通过 · 9 分" in task
    # passing once the short answer is graded earns the certificate too
    _menu(page, "我的证书")
    page.wait_for_url("**/certificates/")
    assert page.locator("section.cert", has_text=exam.title).count() == 1


# -- 5. English ------------------------------------------------------------------------------------------------------

def test_worker_switches_to_english(page, app, artifacts):
    org = Org()
    worker = make_user("030119", name="刘洋", unit=org.team1)
    bank = make_bank("巡检")
    questions = [make_question(bank, "single") for _ in range(2)]
    exam, _assignment = _exam(org.trainer, "巡检安全考试", questions, 50, user_ids=[worker.id], pass_mark=60,
                              time_limit_minutes=10)
    sign_in(page, worker.employee_no, PASSWORD)
    page.wait_for_url(lambda url: url.endswith("/"))
    assert "我的任务" in page.content()

    _open_menu(page)
    page.click("details.menu button[name=lang][value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1.greeting").inner_text() == "Hello, 刘洋"
    assert page.locator("section.exam-panel > h2").inner_text() == "My tasks"
    assert "Not started" in page.locator("article.task", has_text=exam.title).inner_text()
    assert "我的任务" not in page.content()
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "5-01-home-en-360")

    page.locator("article.task", has_text=exam.title).locator("a.btn").click()
    page.wait_for_url(f"**/exams/{exam.id}")
    assert "Exam rules" in page.content()
    assert page.locator("#start").inner_text() == "Start exam"
    _shot(page, artifacts, "5-02-intro-en-360")
    page.click("#start")
    page.wait_for_url("**/attempts/*")
    assert page.locator("#q0 button.next").inner_text() == "Next"
    assert page.locator("#q0 button.submit").inner_text() == "Submit"
    assert page.locator("#progress").inner_text().startswith("Answered")
    assert page.locator("#countdown").get_attribute("aria-label") == "Time left"
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "5-03-exam-en-360", full_page=False)

    # the phone's own messages (from exam.js) are English too
    _fresh()
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == worker.id))
    first = min(attempt.items, key=lambda i: i.position)
    _answer(page, first)
    wait_for_sync_mark(page, 0, "saved")
    assert _mark_text(page, 0) == "Saved"
    page.click("#q0 button.submit")
    page.wait_for_selector("#confirm:not([hidden])")
    unanswered = page.locator("#confirm-unanswered").inner_text()
    assert "not answered" in unanswered.lower() and "2" in unanswered
    assert not re.search(r"[\u4e00-\u9fff]", unanswered)
    _shot(page, artifacts, "5-04-confirm-en-360", full_page=False)
    page.click("#confirm-yes")
    page.wait_for_url("**/result")
    assert page.locator("#score").inner_text().endswith("points")
    assert page.locator("#verdict").inner_text().strip() == "Failed"  # 50 of 100, pass mark 60
    assert "Pass mark" in page.content() and "Back to my tasks" in page.content()
    assert no_horizontal_scroll(page)
    _shot(page, artifacts, "5-05-result-en-360")

    # the choice is the person's: it holds on the next sign-in
    _fresh()
    assert db.session.get(User, worker.id).locale == "en"
