"""Certificate rendering benchmark: prints ONE JSON line, then its figures (``bench/_figures.py``).

- 500 different certificates rendered one by one in this process (names,
  numbers, units, exams, QR codes all differ): first-render ms, median warm
  ms, median PDF size, RSS growth over the 500;
- 50 certificates as pictures (PDF page → PNG with PDFium, as WeChat users get
  them): median render ms and PNG size (aim ≤ 400 KB);
- a 1,000-certificate bulk zip the way the bulk download makes it: 1,000
  certificates seeded in a throwaway SQLite database, read by the download's
  query (``quiz.certificates.pdf.bulk_query`` and ``entries``: one query, plain
  rows), rendered by worker processes (one per core) and streamed through
  ``zip_stream``, drained like a response body: seconds (from the query to the
  zip's last byte, the workers' start included) and the zip's size. The zip is
  opened afterwards: 1,000 PDFs, stored, each showing its own 工号. The CPU of all
  processes (this one, the forkserver and the workers) is printed too: on a
  shared machine it says more than the wall-clock time.

Run: ``.venv/bin/python bench/certificates.py``. Aims (2 cores, issue 14 point 5):
single render median ≤ 30 ms, ≤ 100 KB per PDF, 1,000 in ≤ 15 s, RSS growth ≤ 50 MB.
Timings are wall-clock on a shared machine: the load average is printed with them.
"""
from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _figures import figure  # noqa: E402
from _seed import seed_people, server_env, make_app  # noqa: E402

from quiz.certificates import document  # noqa: E402
from quiz.certificates.rendering import cores, render  # noqa: E402
from quiz.fonts import charset  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏建华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣婷雪琳晨阳"
UNITS = ["氧化铝厂 / 矿制工区 / 磨工一班", "氧化铝厂 / 焙烧工区 / 二班", "电解厂 / 电解一车间 / 三班", "热电厂 / 电力工区 / 运行四班",
         "矿业公司 / 采矿工区 / 爆破班"]
EXAMS = ["二十大应知应会安全培训考试", "矿制工区磨工岗位安全操作规程考试", "行为安全观察与沟通培训考试", "化灰机工岗位技能考试"]


BULK = 1000


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _data(i: int, rng: random.Random) -> document.CertificateData:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    code = "".join(rng.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(12))
    return document.CertificateData(
        name=name, employee_no=f"{100000 + i:07d}", unit=rng.choice(UNITS), exam_title=rng.choice(EXAMS),
        score=str(rng.randint(60, 100)), max_score="100", date=f"2026年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
        serial=f"2026-{i:06d}", code=code, verify_url=f"https://training.example.cn/verify/{code}")


def _seed_certificates(db_path: Path, count: int, rng: random.Random):
    """An app on a fresh SQLite database holding ``count`` valid certificates of one exam,
    held by generated people; returns (app, exam id, trainer's employee number)."""
    from quiz.certificates.models import Certificate
    from quiz.db import utcnow
    from quiz.exams.models import Exam
    from quiz.extensions import db
    from quiz.org.models import User
    from sqlalchemy import insert, select

    app = make_app(server_env(db_path))
    with app.app_context():
        trainer = seed_people(count)
        exam = Exam(title=rng.choice(EXAMS), pass_mark=60.0)
        db.session.add(exam)
        db.session.flush()
        people = db.session.execute(select(User.id, User.employee_no, User.name)
                                    .where(User.id != trainer.id).order_by(User.id)).all()
        now = utcnow()
        rows = []
        for i, (user_id, employee_no, name) in enumerate(people):
            code = "".join(rng.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(12))
            rows.append({"serial": f"2026-{i:06d}", "code": code, "user_id": user_id, "exam_id": exam.id,
                         "holder_name": name, "employee_no": employee_no, "unit_name": rng.choice(UNITS),
                         "exam_title": exam.title, "score": float(rng.randint(60, 100)), "max_score": 100.0,
                         "issued_at": now})
        db.session.execute(insert(Certificate), rows)
        exam_id, trainer_no = exam.id, trainer.employee_no
        db.session.commit()
    return app, exam_id, trainer_no


def _bulk(app, exam_id: int, trainer_no: str, processes: int) -> tuple[float, bytes]:
    """The bulk download's work, from its query to the zip's last byte: (seconds, zip)."""
    from quiz.auth.scopes import scope_for
    from quiz.certificates import pdf, services
    from quiz.extensions import db
    from quiz.org.models import User
    from sqlalchemy import select

    with app.test_request_context():
        scope = scope_for(db.session.scalar(select(User).where(User.employee_no == trainer_no)))
        look = pdf.look_of(services.current_template())
        t, cpu = time.perf_counter(), time.process_time()
        chunks = list(pdf.zip_stream(pdf.entries(pdf.bulk_query(scope, exam_id, None)), look, processes=processes))
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        db.session.remove()
    return seconds, cpu + _forkserver_cpu(), b"".join(chunks)


def _forkserver_cpu() -> float:
    """CPU seconds of the forkserver and the render workers it forked (and reaped): the bulk
    zip's work outside this process, which the machine's other load does not inflate as much
    as it inflates wall-clock time. 0 when no forkserver ran (one process)."""
    import multiprocessing.forkserver

    pid = getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)
    if not pid:
        return 0.0
    time.sleep(0.5)  # the forkserver reaps the workers that just exited
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


def _check_zip(data: bytes, count: int) -> None:
    """Every certificate is in the zip, in the query's order, and each PDF shows its own 工号."""
    import io
    import zipfile

    from pypdf import PdfReader

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert len(infos) == count, len(infos)
        assert all(info.compress_type == zipfile.ZIP_STORED for info in infos)
        for index in (0, count // 2, count - 1):
            text = "".join(PdfReader(io.BytesIO(archive.read(infos[index]))).pages[0].extract_text().split())
            assert infos[index].filename.split("-")[0] in text, infos[index].filename


def main() -> None:
    import tempfile

    rng = random.Random(5)
    look = document.Look()
    assert all(ord(c) in charset() for c in SURNAMES + GIVEN)

    t0 = time.perf_counter()
    first = render(_data(0, rng), look)
    first_ms = (time.perf_counter() - t0) * 1000

    for i in range(1, 11):  # warm-up, then measure memory from a warm process
        render(_data(i, rng), look)
    rss_before = _rss_mb()
    times, cpu, sizes = [], [], []
    for i in range(500):
        data = _data(1000 + i, rng)
        t, c = time.perf_counter(), time.process_time()
        pdf = render(data, look)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)  # CPU time: what a shared machine's load does not inflate
        sizes.append(len(pdf))
    rss_growth = _rss_mb() - rss_before

    # the certificate as a picture (WeChat): the PDF's page rendered to PNG by PDFium, 50 different ones
    from quiz.certificates.image import png_of_pdf

    png_times, png_sizes = [], []
    for i in range(50):
        pdf = render(_data(3000 + i, rng), look)
        t = time.perf_counter()
        png = png_of_pdf(pdf)
        png_times.append((time.perf_counter() - t) * 1000)
        png_sizes.append(len(png))

    processes = min(cores(), 8)  # as quiz.certificates.pdf.bulk_processes
    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as tmp:
        app, exam_id, trainer_no = _seed_certificates(Path(tmp) / "bench.db", BULK, rng)
        bulk_s, bulk_cpu, zip_data = _bulk(app, exam_id, trainer_no, processes)
    _check_zip(zip_data, BULK)
    zip_bytes = len(zip_data)

    print(json.dumps({
        "bench": "certificates",
        "first_render_ms": round(first_ms, 1),
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(sorted(times)[int(len(times) * 0.9)], 1),
        "median_cpu_ms": round(statistics.median(cpu), 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "median_pdf_kb": round(statistics.median(sizes) / 1024, 1),
        "max_pdf_kb": round(max(sizes) / 1024, 1),
        "first_pdf_kb": round(len(first) / 1024, 1),
        "bulk_1000_zip_s": round(bulk_s, 2),
        "bulk_cpu_s": round(bulk_cpu, 2),
        "bulk_processes": processes,
        "bulk_zip_mb": round(zip_bytes / 1024 / 1024, 1),
        "rss_growth_500_mb": round(rss_growth, 1),
        "image_median_ms": round(statistics.median(png_times), 1),
        "image_median_kb": round(statistics.median(png_sizes) / 1024, 1),
        "image_max_kb": round(max(png_sizes) / 1024, 1),
        "rss_mb": round(_rss_mb(), 1),
    }, ensure_ascii=False))
    figure("1,000 certificates as a zip", bulk_s, "s", "<=", 15)
    figure("1,000 certificates: CPU of all processes", bulk_cpu, "s")
    figure(f"1,000 certificates: that CPU over {processes} cores (quiet-machine wall, lower bound)", bulk_cpu / processes, "s")
    figure("single certificate render median", statistics.median(times), "ms", "<=", 30)
    figure("single certificate render median CPU", statistics.median(cpu), "ms")
    figure("load average (1 min)", os.getloadavg()[0], "")


if __name__ == "__main__":
    main()
