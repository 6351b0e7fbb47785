"""Driving a page in the browser tests: the phone's viewport, signing in and out, the layout check."""
from __future__ import annotations

from tests.org.factories import PASSWORD

PHONE = {"width": 360, "height": 740}
# a question long enough to scroll the phone's page
LONG_STEM = "本题较长，请仔细阅读。" + "皮带机运行中发现托辊异响、跑偏或者物料撒落时，应当按照规程先停机、挂牌、上锁，再进行处理。" * 12


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def sign_in(page, employee_no: str, password: str) -> None:
    page.goto("/login")
    page.fill("#employee_no", employee_no)
    page.fill("#password", password)
    page.click("button[type=submit]")


def signed_in(page, worker) -> None:
    """Sign the worker in and wait for the home page."""
    sign_in(page, worker.employee_no, PASSWORD)
    page.wait_for_url(lambda url: url.endswith("/"))


def sign_out(page) -> None:
    page.click("details.menu summary")
    page.click("#logout")
    page.wait_for_url("**/login")


def topmost(page, selector: str) -> bool:
    """Is the element the one a finger would touch at its own centre (not covered)?"""
    return page.evaluate("""(sel) => {
        const el = document.querySelector(sel);
        const r = el.getBoundingClientRect();
        if (r.bottom <= 0 || r.top >= window.innerHeight) return false;
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit === el || el.contains(hit);
    }""", selector)


def wait_for_sync_mark(page, position: int, cls: str) -> None:
    """Wait until question ``position``'s sync mark has class ``cls`` (saved, pending...)."""
    page.wait_for_function(
        f"() => document.querySelector('#q{position} [data-sync]').classList.contains('{cls}')")
