"""Certificate rendering benchmark: prints ONE JSON line.

- 500 different certificates rendered one by one in this process (names,
  numbers, units, exams, QR codes all differ): first-render ms, median warm
  ms, median PDF size, RSS growth over the 500;
- 50 certificates as pictures (PDF page → PNG with PDFium, as WeChat users get
  them): median render ms and PNG size (aim ≤ 400 KB);
- a 1,000-certificate bulk zip through the same streaming code the bulk
  download uses (``quiz.certificates.pdf.zip_stream``), drained like a
  response body: seconds and the zip's size.

Run: ``.venv/bin/python bench/certificates.py``. Aims (2 cores): median ≤ 50 ms,
≤ 100 KB per PDF, 1,000 in ≤ 15 s, RSS growth ≤ 50 MB.
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

from quiz.certificates import document  # noqa: E402
from quiz.fonts import charset  # noqa: E402
from quiz.certificates.pdf import Entry, zip_stream  # noqa: E402
from quiz.pdf import html_to_pdf  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏建华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣婷雪琳晨阳"
UNITS = ["氧化铝厂 / 矿制工区 / 磨工一班", "氧化铝厂 / 焙烧工区 / 二班", "电解厂 / 电解一车间 / 三班", "热电厂 / 电力工区 / 运行四班",
         "矿业公司 / 采矿工区 / 爆破班"]
EXAMS = ["二十大应知应会安全培训考试", "矿制工区磨工岗位安全操作规程考试", "行为安全观察与沟通培训考试", "化灰机工岗位技能考试"]


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


def main() -> None:
    rng = random.Random(5)
    look = document.Look()
    css = document.certificate_css()
    assert all(ord(c) in charset() for c in SURNAMES + GIVEN)

    t0 = time.perf_counter()
    first = html_to_pdf(document.certificate_html([_data(0, rng)], look), css=css)
    first_ms = (time.perf_counter() - t0) * 1000

    for i in range(1, 11):  # warm-up, then measure memory from a warm process
        html_to_pdf(document.certificate_html([_data(i, rng)], look), css=css)
    rss_before = _rss_mb()
    times, cpu, sizes = [], [], []
    for i in range(500):
        data = _data(1000 + i, rng)
        t, c = time.perf_counter(), time.process_time()
        pdf = html_to_pdf(document.certificate_html([data], look), css=css)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)  # CPU time: what a shared machine's load does not inflate
        sizes.append(len(pdf))
    rss_growth = _rss_mb() - rss_before

    # the certificate as a picture (WeChat): the PDF's page rendered to PNG by PDFium, 50 different ones
    from quiz.certificates.image import png_of_pdf

    png_times, png_sizes = [], []
    for i in range(50):
        pdf = html_to_pdf(document.certificate_html([_data(3000 + i, rng)], look), css=css)
        t = time.perf_counter()
        png = png_of_pdf(pdf)
        png_times.append((time.perf_counter() - t) * 1000)
        png_sizes.append(len(png))

    entries = [Entry(f"{_data(i, rng).employee_no}-{i}.pdf", _data(5000 + i, rng)) for i in range(1000)]
    processes = min(os.cpu_count() or 1, 4)
    t = time.perf_counter()
    zip_bytes = 0
    for chunk in zip_stream(iter(entries), look, processes=processes):
        zip_bytes += len(chunk)
    bulk_s = time.perf_counter() - t

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
        "bulk_processes": processes,
        "bulk_zip_mb": round(zip_bytes / 1024 / 1024, 1),
        "rss_growth_500_mb": round(rss_growth, 1),
        "image_median_ms": round(statistics.median(png_times), 1),
        "image_median_kb": round(statistics.median(png_sizes) / 1024, 1),
        "image_max_kb": round(max(png_sizes) / 1024, 1),
        "rss_mb": round(_rss_mb(), 1),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
