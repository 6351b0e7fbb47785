"""Benchmark: parse the 3,262-question text bank and a generated 10,000-question xlsx.

Prints one JSON line: seconds and questions per second for each (parse only;
the database import is added by the lead). Aim: under 3 s for the 3,262.
"""
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quiz.banks import formats  # noqa: E402
from quiz.banks.types.base import QuestionData  # noqa: E402

BANKS = Path(__file__).resolve().parents[1].parent / "shared" / "realworld-banks"


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


def main() -> None:
    figures = {}
    text = BANKS / "cn_txt_renshe_policy_3262q_daan_jiexi.txt"
    figures["text_3262"] = timed(text.read_bytes(), text.name)
    try:
        xlsx = formats.export(generated(10_000), "sheet")
        figures["xlsx_10000"] = timed(xlsx, "generated.xlsx")
    except Exception as exc:  # the sheet module is another helper's
        figures["xlsx_10000"] = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
