"""Charts drawn by the server as SVG strings. Pure: no Flask, no database, no JavaScript.

Each chart has a ``viewBox`` 360 units wide and ``width="100%"``, so it
scales to the phone's width and text stays about 12 px on a 360 px screen.
Every label is XML-escaped (names of units are free text); long labels are
shortened and kept whole in a ``<title>`` tooltip. The same SVG goes into
the pages and, inline, into the PDF report.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape, quoteattr

WIDTH = 360
FONT = 'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"'
COLOURS = {"passed": "#2e7d32", "failed": "#c62828", "in_progress": "#f9a825", "not_started": "#b0bec5",
           "line": "#0b5cad", "grid": "#e3e8ee", "text": "#1d2430", "due": "#c62828"}
SEGMENTS = (("passed", "通过"), ("failed", "未通过"), ("in_progress", "进行中"), ("not_started", "未开始"))


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(height: float, title: str, body: list[str], subtitle: str = "") -> str:
    label = f"{title} · {subtitle}" if subtitle else title
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}" width="100%" '
            f'role="img" aria-label={quoteattr(label)} class="chart" {FONT} font-size="12">'
            f"<title>{escape(label)}</title>" + "".join(body) + "</svg>")


SUBTITLE_H = 18  # the line that says what a chart covers (which exam or assignment)


def _subtitle(subtitle: str) -> tuple[list[str], float]:
    """The "what this covers" line at the top of a chart, and how far it pushes the rest down."""
    if not subtitle:
        return [], 0.0
    return [f'<text x="4" y="12" font-size="11" fill="{COLOURS["text"]}" class="covers">'
            f"{escape(_short(subtitle, 30))}</text>"], float(SUBTITLE_H)


def nice_ticks(peak: int, most: int = 5) -> list[int]:
    """Whole-number ticks from 0 to a round number at or above ``peak``, evenly spaced, at most ``most`` steps.

    The step is 1, 2 or 5 times a power of ten, so a bar of 2 people meets the "2" line exactly.
    """
    peak = max(int(peak), 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if -(-peak // step) <= most:
                top = step * -(-peak // step)
                return list(range(0, top + 1, step))
        magnitude *= 10


def _legend(y: float, items: Sequence[tuple[str, str]]) -> list[str]:
    out, x = [], 4.0
    for colour, label in items:
        out.append(f'<rect x="{x:g}" y="{y - 9:g}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 13:g}" y="{y:g}" fill="{COLOURS["text"]}">{escape(label)}</text>')
        x += 13 + 12 * len(label) + 10
    return out


def completion_bars(rows: Sequence[tuple[str, dict]], title: str = "各单位完成情况",
                    labels: dict[str, str] | None = None, subtitle: str = "") -> str:
    """Stacked horizontal bars, one per unit: passed, failed, in progress, not started.

    ``rows`` are (unit name, counts) where counts has ``assigned`` and the four
    statuses; the number at the right end is the pass rate.
    """
    names = dict(SEGMENTS)
    names.update(labels or {})
    label_w, bar_x, bar_w, row_h = 92, 96, 214, 24
    body, shift = _subtitle(subtitle)
    body += _legend(14 + shift, [(COLOURS[k], names[k]) for k, _ in SEGMENTS])
    y = 26 + shift
    if not rows:
        body.append(f'<text x="4" y="{y + 16:g}" fill="{COLOURS["text"]}">{escape(names.get("empty", "暂无数据"))}</text>')
        return _svg(y + 26, title, body, subtitle)
    for name, counts in rows:
        assigned = counts.get("assigned", 0) or 0
        body.append(f'<g><title>{escape(name)}</title>')
        body.append(f'<text x="{label_w}" y="{y + 16:g}" text-anchor="end" fill="{COLOURS["text"]}">'
                    f"{escape(_short(name, 7))}</text>")
        x = float(bar_x)
        body.append(f'<rect x="{bar_x}" y="{y + 4:g}" width="{bar_w}" height="16" fill="{COLOURS["grid"]}"/>')
        for key, _label in SEGMENTS:
            value = counts.get(key, 0) or 0
            if assigned and value:
                w = bar_w * value / assigned
                body.append(f'<rect x="{x:.2f}" y="{y + 4:g}" width="{w:.2f}" height="16" fill="{COLOURS[key]}">'
                            f"<title>{escape(names[key])} {value}</title></rect>")
                x += w
        rate = (counts.get("passed", 0) or 0) / assigned if assigned else 0.0
        body.append(f'<text x="{WIDTH - 2}" y="{y + 16:g}" text-anchor="end" fill="{COLOURS["text"]}">'
                    f"{rate * 100:.0f}%</text></g>")
        y += row_h
    return _svg(y + 6, title, body, subtitle)


def histogram(counts: Sequence[int], title: str = "成绩分布", x_label: str = "得分率 %",
              y_label: str = "人数", subtitle: str = "") -> str:
    """Vertical bars of how many people scored in each equal band of 0–100 %.

    The y-axis has whole-number ticks (``nice_ticks``) and the bars are drawn
    on the same scale, so a bar of 2 ends on the "2" line. The axis name sits
    on its own line above the plot, clear of the top tick.
    """
    bins = len(counts) or 1
    body, shift = _subtitle(subtitle)
    left, top, plot_w, plot_h = 34, 40 + shift, WIDTH - 44, 150
    ticks = nice_ticks(max(counts) if counts else 0)
    scale = ticks[-1]
    body.append(f'<text x="4" y="{top - 12:g}" fill="{COLOURS["text"]}">{escape(y_label)}</text>')
    for value in ticks:  # grid lines with counts
        gy = top + plot_h - plot_h * value / scale
        body.append(f'<line x1="{left}" y1="{gy:.2f}" x2="{left + plot_w}" y2="{gy:.2f}" stroke="{COLOURS["grid"]}"/>')
        body.append(f'<text x="{left - 3}" y="{gy + 4:.2f}" text-anchor="end" font-size="10" '
                    f'fill="{COLOURS["text"]}">{value}</text>')
    step = plot_w / bins
    for i, n in enumerate(counts):
        h = plot_h * n / scale
        x = left + i * step
        body.append(f'<rect x="{x + 1:.2f}" y="{top + plot_h - h:.2f}" width="{step - 2:.2f}" height="{h:.2f}" '
                    f'fill="{COLOURS["line"]}"><title>{100 * i // bins}–{100 * (i + 1) // bins}%: {n}</title></rect>')
        if n:
            body.append(f'<text x="{x + step / 2:.2f}" y="{top + plot_h - h - 2:.2f}" text-anchor="middle" '
                        f'font-size="10" fill="{COLOURS["text"]}">{n}</text>')
    for i in range(0, bins + 1, max(1, bins // 5)):
        body.append(f'<text x="{left + i * step:.2f}" y="{top + plot_h + 14:g}" text-anchor="middle" font-size="10" '
                    f'fill="{COLOURS["text"]}">{100 * i // bins}</text>')
    body.append(f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 30:g}" text-anchor="middle" '
                f'fill="{COLOURS["text"]}">{escape(x_label)}</text>')
    return _svg(top + plot_h + 36, title, body, subtitle)


def completion_over_time(points: Sequence[tuple[date, int, int]], assigned: int, due: date | None,
                         title: str = "完成进度", finished_label: str = "已完成", passed_label: str = "已通过",
                         due_label: str = "截止", subtitle: str = "") -> str:
    """Cumulative share finished and passed per day, with the due date marked.

    ``points`` are (day, finished so far, passed so far), one per day in order.
    """
    body, shift = _subtitle(subtitle)
    left, top, plot_w, plot_h = 34, 24 + shift, WIDTH - 44, 140
    body += _legend(12 + shift, [(COLOURS["line"], finished_label), (COLOURS["passed"], passed_label)])
    for i in range(5):
        gy = top + plot_h - plot_h * i / 4
        body.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{left + plot_w}" y2="{gy:.1f}" stroke="{COLOURS["grid"]}"/>')
        body.append(f'<text x="{left - 3}" y="{gy + 4:.1f}" text-anchor="end" font-size="10" '
                    f'fill="{COLOURS["text"]}">{25 * i}%</text>')
    n = len(points)
    if n and assigned:
        def xy(i: int, value: int) -> str:
            x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
            return f"{x:.2f},{top + plot_h - plot_h * min(value / assigned, 1.0):.2f}"

        for index, colour in ((1, COLOURS["line"]), (2, COLOURS["passed"])):
            line = " ".join(xy(i, p[index]) for i, p in enumerate(points))
            body.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        first, last = points[0][0], points[-1][0]
        body.append(f'<text x="{left}" y="{top + plot_h + 14}" font-size="10" fill="{COLOURS["text"]}">'
                    f"{first:%m-%d}</text>")
        body.append(f'<text x="{left + plot_w}" y="{top + plot_h + 14}" text-anchor="end" font-size="10" '
                    f'fill="{COLOURS["text"]}">{last:%m-%d}</text>')
        if due is not None and first <= due <= last:
            i = (due - first).days
            x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
            body.append(f'<line x1="{x:.2f}" y1="{top}" x2="{x:.2f}" y2="{top + plot_h}" stroke="{COLOURS["due"]}" '
                        f'stroke-dasharray="4 3"/>')
            body.append(f'<text x="{x - 2:.2f}" y="{top + 10}" text-anchor="end" font-size="10" '
                        f'fill="{COLOURS["due"]}">{escape(due_label)} {due:%m-%d}</text>')
    return _svg(top + plot_h + 22, title, body, subtitle)


def rate_bar(rate: float, colour: str = COLOURS["passed"], label: str = "") -> str:
    """A small inline bar for table cells: ``rate`` 0..1."""
    rate = max(0.0, min(1.0, rate))
    text = label or f"{rate * 100:.0f}%"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 10" width="100%" height="10" '
            f'preserveAspectRatio="none" role="img" aria-label={quoteattr(text)} class="ratebar">'
            f'<rect width="100" height="10" fill="{COLOURS["grid"]}"/>'
            f'<rect width="{rate * 100:.2f}" height="10" fill="{colour}"/></svg>')
