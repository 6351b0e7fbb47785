"""A learning path on a 360×740 phone: the worker fails topic 1, works through
the remediation, passes the retest with a fresh paper, waits for the crew,
and sees topic 2 open once the last member passes; then the trainer's board
and lesson sheet, on a desktop, checked against what happened."""
from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from quiz.exams.models import Attempt
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.browser.pages import no_horizontal_scroll, sign_in
from tests.org.factories import PASSWORD, make_user
from tests.paths.factories import make_path, make_section, take

DESKTOP = {"width": 1280, "height": 800}


def _world():
    bank = make_bank("磨工题库")
    for point, n in (("球磨机结构", 4), ("开停车", 4), ("巡检要点", 4)):
        for i in range(n):
            make_question(bank, "single", category=point, stem=f"{point}第{i + 1}题：选丙",
                          source_excerpt=f"{point}：这是要学的原文。")
    section, (team, _other) = make_section()
    path = make_path(bank, section)
    me = make_user("660001", name="钱磨工", unit=team, job_type="磨工")
    mate = make_user("660002", name="孙磨工", unit=team, job_type="磨工")
    last = make_user("660003", name="周磨工", unit=team, job_type="磨工")
    trainer = make_user("660009", name="赵培训", roles={"trainer": [section.id]})
    take(mate, path.topics[0], right=True)
    return path, team, me, mate, last, trainer


def _answer_the_test(page, value: str, shots, name: str) -> None:
    page.click("#start-test")
    page.wait_for_url("**/attempts/*")
    count = page.locator("input[type=radio][value='0']").count()
    for position in range(count):
        page.locator(f"#q{position} input[name='q{position}'][value='{value}']").check()
        page.wait_for_function(
            f"() => document.querySelector('#q{position} [data-sync]').className.indexOf('saved') >= 0")
        if position < count - 1:
            page.click(f"#q{position} button.next")
    page.click(f"#q{count - 1} button.submit")
    page.click("#confirm-yes")
    page.wait_for_url("**/result")
    page.screenshot(path=str(shots / f"path-{name}-result-360.png"), full_page=True)


def test_fail_remediate_retest_wait_for_the_crew_then_topic_2(page, browser, live_server, app, artifacts):
    path, team, me, mate, last, trainer = _world()
    sign_in(page, me.employee_no, PASSWORD)
    page.wait_for_url(lambda url: url.endswith("/"))
    page.goto("/paths")
    page.wait_for_url(f"**/paths/{path.id}")
    assert "课题 1" in page.locator("#now").inner_text()
    assert "通过课题 1 后开放" in page.locator("#topic-2").inner_text()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "path-start-360.png"), full_page=True)

    page.click("#now a.btn")
    page.wait_for_url("**/paths/topics/*")
    _answer_the_test(page, "1", artifacts, "fail")  # every answer wrong

    page.goto(f"/paths/{path.id}")
    assert "完成补课练习" in page.locator("#todo").inner_text()
    page.screenshot(path=str(artifacts / "path-remediation-due-360.png"), full_page=True)
    page.click("#now a.btn")
    page.wait_for_url("**/paths/remediation/*")
    assert "球磨机结构：这是要学的原文。" in page.content()
    page.screenshot(path=str(artifacts / "path-remediation-360.png"), full_page=True)
    practice_links = page.locator("a:has-text('练习这个知识点')")
    asked = []
    while practice_links.count():
        practice_links.first.click()
        while True:
            page.wait_for_url("**/points/*")
            asked.append(page.locator(".q-body").inner_text())
            page.locator("input[name='q0'][value='2']").check()
            page.click("#check")
            assert "回答正确" in page.locator("#feedback").inner_text()
            next_link = page.locator("#next")
            if "返回补课" in next_link.inner_text():
                page.screenshot(path=str(artifacts / "path-practice-done-360.png"), full_page=True)
                next_link.click()
                page.wait_for_url("**/paths/remediation/*")
                break
            next_link.click()
    assert len(asked) == 4  # two points, two right answers each
    assert page.locator("#remediation-done").is_visible()

    page.click("#remediation-done a.btn")
    page.wait_for_url("**/paths/topics/*")
    _answer_the_test(page, "2", artifacts, "pass")
    db.session.rollback()
    attempts = db.session.scalars(select(Attempt).where(Attempt.user_id == me.id).order_by(Attempt.number)).all()
    assert [a.passed for a in attempts] == [False, True]
    assert attempts[1].seed != attempts[0].seed  # the retest drew its own paper

    page.goto(f"/paths/{path.id}")
    waiting = page.locator("#waiting").inner_text()
    assert "等待班组全员通过课题 1：还差 1 人" in waiting
    body = page.locator("main").inner_text()
    assert last.name not in body and last.employee_no not in body  # never who blocks
    page.screenshot(path=str(artifacts / "path-waiting-360.png"), full_page=True)

    take(last, path.topics[0], right=True)  # the last member passes
    page.reload()
    assert "课题 2" in page.locator("#now").inner_text()
    assert "巡检要点" in page.locator("#now").inner_text()
    page.screenshot(path=str(artifacts / "path-topic2-open-360.png"), full_page=True)

    # the trainer's board and lesson sheet, against what happened
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  base_url=live_server, accept_downloads=True)
    desk = context.new_page()
    sign_in(desk, trainer.employee_no, PASSWORD)
    desk.wait_for_url(lambda url: url.endswith("/"))
    desk.goto(f"/paths/manage/{path.id}/board")
    row = desk.locator(f"tr[data-employee='{me.employee_no}']")
    assert "已通过" in row.locator("td").nth(1).inner_text()
    assert "课题 2" in desk.locator(f"#crew-{team.id} h2").inner_text()
    desk.screenshot(path=str(artifacts / "path-board-1280.png"), full_page=True)
    desk.goto(f"/paths/manage/{path.id}/crews/{team.id}/topics/1")
    first_point = desk.locator("#point-1").inner_text()
    assert me.name in first_point and mate.name not in first_point
    assert "球磨机结构" in desk.content() and "开停车" in desk.content()
    desk.screenshot(path=str(artifacts / "path-teach-1280.png"), full_page=True)
    with desk.expect_download() as download:
        desk.click("#lesson-pdf")
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1 and "授课单" in text and me.name in text
    context.close()
