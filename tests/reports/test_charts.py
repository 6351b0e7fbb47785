"""The SVG charts: well-formed XML, scaled by viewBox, labels escaped, sizes right."""
from __future__ import annotations

import re
from datetime import date, timedelta

from defusedxml import ElementTree
from hypothesis import given
from hypothesis import strategies as st

from quiz.reports import charts

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str):
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{NS}svg"
    x, y, w, h = (float(v) for v in root.get("viewBox").split())
    assert (x, y, w) == (0, 0, 360) and h > 0
    assert root.get("width") == "100%"  # scales to a 360 px phone
    return root


def texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def test_completion_bars_segments_are_proportional():
    svg = charts.completion_bars([
        ("电解厂", {"assigned": 10, "passed": 5, "failed": 2, "in_progress": 1, "not_started": 2}),
        ("氧化铝厂", {"assigned": 4, "passed": 0, "failed": 0, "in_progress": 0, "not_started": 4}),
    ])
    root = parse(svg)
    assert "电解厂" in texts(root) and "50%" in texts(root) and "0%" in texts(root)
    passed = [r for r in root.iter(f"{NS}rect") if r.get("fill") == charts.COLOURS["passed"] and r.get("height") == "16"]
    assert len(passed) == 1 and abs(float(passed[0].get("width")) - 214 * 0.5) < 0.01


def test_labels_are_escaped_and_shortened():
    nasty = '<script>alert("x")</script>&班组名称很长很长'
    root = parse(charts.completion_bars([(nasty, {"assigned": 1, "passed": 1})]))
    assert "<script>" not in charts.completion_bars([(nasty, {"assigned": 1})])
    titles = ["".join(t.itertext()) for t in root.iter(f"{NS}title")]
    assert nasty in titles  # the whole name stays in the tooltip
    assert any(t.endswith("…") for t in texts(root))


def test_empty_bars_say_so():
    root = parse(charts.completion_bars([], labels={"empty": "暂无数据"}))
    assert "暂无数据" in texts(root)


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=20))
def test_histogram_is_well_formed_for_any_counts(counts):
    root = parse(charts.histogram(counts))
    bars = [r for r in root.iter(f"{NS}rect")]
    assert len(bars) == len(counts)
    heights = [float(b.get("height")) for b in bars]
    if max(counts):
        assert 150.0 * 2 / 3 <= max(heights) <= 150.0  # the top tick is a round number at or above the peak
        assert all(h >= 0 for h in heights)


def test_timeline_marks_the_due_date():
    start = date(2025, 3, 1)
    points = [(start + timedelta(days=i), i * 2, i) for i in range(10)]
    root = parse(charts.completion_over_time(points, 20, start + timedelta(days=7), due_label="截止"))
    lines = list(root.iter(f"{NS}polyline"))
    assert len(lines) == 2
    assert any(t.startswith("截止 03-08") for t in texts(root))


def test_timeline_without_data():
    parse(charts.completion_over_time([], 0, None))
    parse(charts.completion_over_time([(date(2025, 1, 1), 1, 1)], 3, date(2025, 1, 1)))


def test_rate_bar():
    svg = charts.rate_bar(1.7)
    root = ElementTree.fromstring(svg)
    assert float(list(root.iter(f"{NS}rect"))[1].get("width")) == 100.0


# -- issue 11, point 7: ticks that match the bars, and what each chart covers -----------------------------------

def _ticks_and_bars(root):
    """(tick value → y of its grid line, [(count, y of the bar's top)])."""
    lines = [float(line.get("y1")) for line in root.iter(f"{NS}line")]
    labels = [t for t in root.iter(f"{NS}text") if t.get("text-anchor") == "end"]
    ticks = {}
    for label, y in zip(labels, lines):
        ticks["".join(label.itertext())] = y
    bars = []
    for rect in root.iter(f"{NS}rect"):
        count = int("".join(rect.itertext()).rsplit(":", 1)[1])
        bars.append((count, float(rect.get("y"))))
    return ticks, bars


@given(st.lists(st.integers(0, 500), min_size=10, max_size=10))
def test_histogram_ticks_are_whole_numbers_and_a_bar_reaches_its_tick(counts):
    root = parse(charts.histogram(counts))
    ticks, bars = _ticks_and_bars(root)
    assert all(re.fullmatch(r"\d+", t) for t in ticks), ticks  # 0, 1, 2 … never 1.25 shown as "1"
    values = sorted(int(t) for t in ticks)
    steps = {b - a for a, b in zip(values, values[1:])}
    assert len(steps) == 1  # evenly spaced
    assert values[0] == 0 and values[-1] >= max(counts)
    for count, y in bars:
        if str(count) in ticks:
            assert abs(ticks[str(count)] - y) < 0.05, (count, y, ticks)


def test_histogram_of_five_people_reads_0_to_5():
    root = parse(charts.histogram([0, 0, 1, 2, 0, 5, 0, 0, 0, 0]))
    ticks, bars = _ticks_and_bars(root)
    assert sorted(int(t) for t in ticks) == [0, 1, 2, 3, 4, 5]
    assert [y for c, y in bars if c == 2] == [ticks["2"]]


def test_the_y_label_stays_clear_of_the_plot():
    root = parse(charts.histogram([3, 9, 4], y_label="人数", subtitle="考试任务：全员安全考试"))
    label = [t for t in root.iter(f"{NS}text") if "".join(t.itertext()) == "人数"][0]
    top_line = min(float(line.get("y1")) for line in root.iter(f"{NS}line"))
    top_tick_text_top = top_line + 4 - 10  # tick labels are 10 units high, baseline 4 below their line
    assert float(label.get("y")) + 2 <= top_tick_text_top


def test_every_chart_can_say_what_it_covers():
    subtitle = "考试任务：全员安全考试"
    for svg in (charts.histogram([1, 2], subtitle=subtitle),
                charts.completion_bars([("电解厂", {"assigned": 1, "passed": 1})], subtitle=subtitle),
                charts.completion_over_time([(date(2025, 1, 1), 1, 1)], 3, None, subtitle=subtitle)):
        root = parse(svg)
        assert subtitle in texts(root)
        assert subtitle in root.get("aria-label")
