"""Certificate tests fail on any WeasyPrint warning: a missing glyph (.notdef), the fontTools
fallback for HarfBuzz-subset, a font-face that does not load, a resource that fails.
``org`` is the organisation the certificate pages are tried on."""
from __future__ import annotations

import logging
import shutil

import pytest

from quiz.extensions import db
from tests.exams.factories import make_assignment, make_attempt, make_exam
from tests.org.factories import make_unit, make_user


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        """The messages so far, now expected (a test that provokes warnings on purpose)."""
        messages = [r.getMessage() for r in self.records]
        self.records.clear()
        return messages


@pytest.fixture(autouse=True)
def weasyprint_warnings():
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
    unexpected = [r.getMessage() for r in handler.records]
    if unexpected:
        pytest.fail("WeasyPrint warned: " + " | ".join(unexpected), pytrace=False)


@pytest.fixture(scope="session")
def tools():
    """Poppler and zbar, which the PDF tests read the output with."""
    missing = [t for t in ("pdftotext", "pdffonts", "pdftoppm", "zbarimg") if shutil.which(t) is None]
    if missing:
        pytest.fail(f"missing tools {missing}: apt-get install poppler-utils zbar-tools")
    return True


@pytest.fixture
def org(app):
    company = make_unit("中铝山西新材料", kind="company")
    alumina = make_unit("氧化铝厂", company)
    section = make_unit("矿制工区", alumina, kind="section")
    smelter = make_unit("电解厂", company)
    exam = make_exam(title="二十大应知应会安全培训考试", pass_mark=60.0, commit=False)
    assignment = make_assignment(exam, units=[company], title=exam.title)
    people = {
        "zhang": make_user("0100001", "张晓明", unit=section),
        "li": make_user("0100002", "李四", unit=alumina),
        "zhao": make_user("0200001", "赵六", unit=smelter),
        "failed": make_user("0100003", "钱七", unit=section),
    }
    for key in ("zhang", "li", "zhao"):
        make_attempt(people[key], exam, assignment, score=95 if key == "zhang" else 70, graded=True)
    make_attempt(people["failed"], exam, assignment, score=30, passed=False, graded=True)
    people["head"] = make_user("0109999", "孙主任", unit=alumina, roles={"head": [alumina.id]})
    people["trainer"] = make_user("0300001", "周培训", unit=company, roles={"trainer": [None]})
    people["admin"] = make_user("0000001", "管理员", unit=company, roles={"admin": [None]})
    db.session.commit()
    return {"company": company, "alumina": alumina, "section": section, "smelter": smelter, "exam": exam, **people}
