"""A typo in a roster's unit name does not silently create a unit: the preview
lists every unit the import would create with the nearest existing names
(edit distance or pinyin), and creating units is an explicit choice."""
from __future__ import annotations

from sqlalchemy import func, select

from quiz.extensions import db
from quiz.org.models import Unit, User
from quiz.org.roster.parse import parse_roster
from quiz.org.roster.importing import apply_roster
from tests.org.factories import login, make_unit, make_user, roster_xlsx

COMPANY = "中铝山西新材料有限公司"


def _org():
    company = make_unit(COMPANY, kind="company")
    alumina = make_unit("氧化铝厂", company)
    make_unit("烧成工区", alumina, kind="section")
    make_unit("矿制工区", alumina, kind="section")
    smelter = make_unit("电解厂", company)
    make_unit("电解一工区", smelter, kind="section")
    db.session.commit()


def _units() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


def _import(rows, **options):
    return apply_roster(parse_roster(roster_xlsx(rows), "花名册.xlsx"), filename="花名册.xlsx", **options)


ROWS = [
    ["000201", "赵一", f"{COMPANY}/氧化铝厂/烧成工区", "磨工", "", ""],
    ["000202", "钱二", f"{COMPANY}/氧化铝厂/烧成工去", "磨工", "", ""],   # typo: 去 for 区
    ["000203", "孙三", f"{COMPANY}/氧化铝厂/烧成供趋", "磨工", "", ""],   # same pinyin, two characters off
    ["000204", "李四", f"{COMPANY}/氧化铝厂/焙烧新工区", "磨工", "", ""],  # really new: nothing close
]


def test_a_misspelt_unit_is_an_error_naming_the_nearest_unit(app):
    _org()
    before = _units()
    report = _import(ROWS)
    assert not report.ok
    rows = {e.row: e.message for e in report.errors}
    assert set(rows) == {4, 5, 6}
    assert "烧成工去" in rows[4] and "氧化铝厂 / 烧成工区" in rows[4]
    assert "氧化铝厂 / 烧成工区" in rows[5]  # found by its pinyin
    assert "最接近" not in rows[6] and "--create-units" in rows[6]
    new = {u.label: u for u in report.new_units}
    assert set(new) == {"氧化铝厂 / 烧成工去", "氧化铝厂 / 烧成供趋", "氧化铝厂 / 焙烧新工区"}
    assert new["氧化铝厂 / 烧成工去"].similar[0] == "氧化铝厂 / 烧成工区" and new["氧化铝厂 / 烧成工去"].rows == [4]
    assert new["氧化铝厂 / 焙烧新工区"].similar == []
    # nothing written, and with valid_only only the good row goes in, under the real unit
    assert not report.applied and _units() == before
    report = _import(ROWS, valid_only=True)
    db.session.commit()
    assert report.applied and report.created == 1 and _units() == before
    assert db.session.scalar(select(User).where(User.employee_no == "000202")) is None


def test_creating_units_is_an_explicit_choice(app):
    _org()
    before = _units()
    report = _import(ROWS, create_units=True)
    db.session.commit()
    assert report.ok and report.created == 4 and _units() == before + 3
    assert [u.label for u in report.new_units] == ["氧化铝厂 / 烧成供趋", "氧化铝厂 / 烧成工去", "氧化铝厂 / 焙烧新工区"]
    assert report.as_dict()["new_units"][1]["similar"] == ["氧化铝厂 / 烧成工区"]


def test_preview_lists_new_units_and_the_admin_chooses(app, client):
    _org()
    login(client, make_user("900001", name="管理员", roles={"admin": [None]}))
    import io

    client.post("/org/roster", data={"file": (io.BytesIO(roster_xlsx(ROWS[:2])), "花名册.xlsx")},
                content_type="multipart/form-data")
    page = client.get("/org/roster/preview").get_data(as_text=True)
    assert "没有发现问题" not in page
    listed = page.split('id="new-units"', 1)[1].split("</table>", 1)[0]
    assert "氧化铝厂 / 烧成工去" in listed and "氧化铝厂 / 烧成工区" in listed
    assert client.post("/org/roster/units", data={"create_units": "1"}).status_code == 302
    page = client.get("/org/roster/preview").get_data(as_text=True)
    assert 'id="count-created">2<' in page and "导入时新建以上 1 个单位" in page
    client.post("/org/roster/confirm")
    assert db.session.scalar(select(Unit).where(Unit.name == "烧成工去")) is not None
