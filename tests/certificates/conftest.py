"""Certificate tests fail on any WeasyPrint warning: a missing glyph (.notdef), the fontTools
fallback for HarfBuzz-subset, a font-face that does not load, a resource that fails."""
from __future__ import annotations

import logging
import shutil

import pytest


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
