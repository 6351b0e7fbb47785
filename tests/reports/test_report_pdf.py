"""What the charts cover, and a PDF whose table keeps names and statuses whole (issue 11, point 7)."""
from __future__ import annotations

import io

from pypdf import PdfReader

from quiz.extensions import db
from tests.org.factories import login, make_user


def _pdf_lines(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]


def test_every_chart_says_which_assignments_it_covers(client, org):
    login(client, org.head_e)
    page = client.get("/reports/").get_data(as_text=True)
    assert page.count("全部 2 个考试任务合计") >= 2  # the bars and the histogram say they add two up
    one = client.get(f"/reports/?assignment={org.A1.id}").get_data(as_text=True)
    assert one.count("考试任务：全员安全考试") >= 3  # bars, histogram, timeline
    drill = client.get(f"/reports/units/{org.smelter.id}?assignment={org.A1.id}").get_data(as_text=True)
    assert "考试任务：全员安全考试" in drill


def test_the_pdf_keeps_names_and_statuses_whole(client, org):
    # long names, the way the plant's people and teams are called
    names = ["欧阳建国", "司马晓东", "王氧化铝"]
    for i, name in enumerate(names):
        make_user(f"E10{i}", name, org.team1, job_type="电解工", commit=False)
    org.team1.name = "电解一工区甲班一组"
    org.smelter.name = "中铝山西新材料电解厂"
    org.smelter_sec.name = "电解一工区（东区）"
    org.A1.title = "2026年第一季度全员安全规程考试（含应急处置）"
    db.session.commit()
    login(client, org.admin)
    response = client.get(f"/reports/report.pdf?assignment={org.A1.id}")
    assert response.status_code == 200
    lines = _pdf_lines(response.data)
    text = "\n".join(lines)
    for name in [*names, "王氧化", "李电解", "张四", "电解一工区甲班一组", "中铝山西新材料电解厂"]:
        assert any(name in line for line in lines), (name, text)
    for status in ("未开始", "进行中", "未通过"):
        assert any(status in line for line in lines), status
    assert not any(line in ("化", "始", "过", "铝") for line in lines), text
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape: the chase table's twelve columns fit
