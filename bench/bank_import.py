"""Benchmark: parse the 3,262-question text bank and a generated 10,000-question xlsx.

Prints one JSON line: for each, the parse alone and parse plus import into a
fresh SQLite database through the same service the upload page uses
(seconds, questions per second). Aim: under 3 s for the 3,262.
"""
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quiz.banks import formats  # noqa: E402
from quiz.banks.types.base import QuestionData  # noqa: E402

BANKS = Path(__file__).resolve().parents[1].parent / "shared" / "realworld-banks"


from _figures import figure  # noqa: E402

def timed(data: bytes, name: str) -> dict:
    start = time.perf_counter()
    result = formats.parse(data, name)
    seconds = time.perf_counter() - start
    n = len(result.questions)
    return {"questions": n, "seconds": round(seconds, 3), "per_second": round(n / seconds) if seconds else None}


def generated(n: int) -> list[QuestionData]:
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out.append(QuestionData("single", f"第{i}题 磨机启动前应检查什么？", ["润滑", "电源", "闸门", "全部"], [3]))
        elif kind == 1:
            out.append(QuestionData("multiple", f"第{i}题 巡检内容包括", ["温度", "振动", "声音", "颜色"], [0, 1, 2]))
        elif kind == 2:
            out.append(QuestionData("truefalse", f"第{i}题 设备运行中可以清理转动部位。", [], False))
        else:
            out.append(QuestionData("fill", f"第{i}题 安全生产方针是安全第一、____、综合治理。", [], [["预防为主"]]))
    return out


def imported(data: bytes, name: str, title: str) -> dict:
    """Parse and import into a fresh SQLite database, committed, as an upload does."""
    import tempfile

    from quiz import create_app
    from quiz.banks import importing, services
    from quiz.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            result = formats.parse(data, name)
            bank = services.create_bank(title)
            outcome = importing.import_questions(bank, result, valid_only=True)
            db.session.commit()
            seconds = time.perf_counter() - start
            n = outcome.count
            db.session.remove()
            db.engine.dispose()
    return {"questions": n, "seconds": round(seconds, 3), "per_second": round(n / seconds) if seconds else None}


def main() -> None:
    figures = {}
    text = BANKS / "cn_txt_renshe_policy_3262q_daan_jiexi.txt"
    xlsx = formats.export(generated(10_000), "sheet")
    figures["text_3262_parse"] = timed(text.read_bytes(), text.name)
    figures["text_3262_parse_and_import"] = imported(text.read_bytes(), text.name, "人社政策")
    figures["xlsx_10000_parse"] = timed(xlsx, "generated.xlsx")
    figures["xlsx_10000_parse_and_import"] = imported(xlsx, "generated.xlsx", "生成题库")
    print(json.dumps(figures, ensure_ascii=False))
    figure("3,262-question text bank parsed and imported", figures["text_3262_parse_and_import"]["seconds"], "s", "<", 3)


if __name__ == "__main__":
    main()
