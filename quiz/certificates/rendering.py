"""A certificate as a PDF from plain data: one here, or many in worker processes (bulk zips).

The parent reads the rows (``quiz.certificates.pdf.entries``) and writes the
zip; each worker gets the template's look and the job's characters once,
when it starts (its fonts are cut to them), and then
only batches of ``CertificateData``: it builds the HTML in its sandbox and
lays out the PDF with the process's one ``FontConfiguration``
(``quiz.pdf.FONT_CONFIG``), so the parent does no rendering work at all.

Workers start from a ``forkserver`` that has already imported WeasyPrint and
the sandbox: they share nothing with the web process (no database
connection, no locks, no threads) and cost a fork each, not an import.

Pure: no Flask, no database (a worker imports this module and nothing with
models in it).
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice

from quiz import fonts
from quiz.certificates import document
from quiz.pdf import html_to_pdf

BATCH = 4  # certificates per task: one round trip carries ~250 KB of PDFs back
_PRELOAD = ["quiz.pdf", "quiz.certificates.document", "quiz.certificates.rendering"]

_look: document.Look | None = None  # the worker's template, set once by ``_start``


def render(data: document.CertificateData, look: document.Look) -> bytes:
    """One certificate's PDF."""
    return html_to_pdf(document.certificate_html([data], look), css=document.certificate_css())


#: what the page layout and the fonts' fallbacks may show besides the texts: ASCII, general and
#: CJK punctuation, full-width forms
_ALWAYS = frozenset(range(0x20, 0x7F)) | frozenset(range(0x2000, 0x2070)) | frozenset(range(0x3000, 0x3040)) \
    | frozenset(range(0xFF00, 0xFFF0))


def characters(items: list[document.CertificateData], look: document.Look) -> frozenset[int]:
    """Every character the pages of ``items`` can show: their facts, the admin's texts and the layout's own."""
    texts = [document.LAYOUT_DIR.joinpath("certificate.html").read_text(encoding="utf-8"),
             look.org_name, look.title, look.subtitle, look.body, look.issuer]
    for data in items:
        texts += [data.name, data.employee_no, data.unit, data.exam_title, data.score, data.max_score, data.date,
                  data.serial, data.code]
    return _ALWAYS | frozenset(ord(c) for text in texts for c in text)


def _start(look: document.Look, codepoints: frozenset[int]) -> None:
    global _look
    _look = look
    fonts.narrow_to(codepoints)  # a fresh process: nothing rendered yet


def _render_batch(batch: list[document.CertificateData]) -> list[bytes]:
    assert _look is not None
    return [render(data, _look) for data in batch]


def cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def pdfs(items: Iterable[document.CertificateData], look: document.Look, processes: int) -> Iterator[bytes]:
    """One PDF per item, in order; with ``processes`` > 1 rendered by that many worker processes.

    The workers' fonts hold only the job's characters (``characters``,
    ``quiz.fonts.narrow_to``). At most two batches per worker wait (in flight
    or done), so the PDFs in memory stay few however slowly the client reads.
    """
    if processes <= 1:
        for data in items:
            yield render(data, look)
        return
    items = list(items)  # plain values, a few hundred bytes each: the job's characters are known first
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)  # only read when the forkserver starts (once per process)
    iterator = iter(items)
    pending: deque = deque()
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_start,
                             initargs=(look, characters(items, look))) as pool:
        while True:
            batch = list(islice(iterator, BATCH))
            if batch:
                pending.append(pool.submit(_render_batch, batch))
            if pending and (not batch or len(pending) >= processes * 2):
                yield from pending.popleft().result()
            elif not batch:
                return
