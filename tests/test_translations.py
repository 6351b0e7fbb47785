"""The English catalogue: complete, well-formed, up to date with the source, and what people see.

The msgids are Chinese (the UI's first language); ``quiz/translations/en/LC_MESSAGES/messages.po``
turns them into English. When a test here fails because a message is missing, run

    .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o quiz/translations/messages.pot .
    .venv/bin/pybabel update -i quiz/translations/messages.pot -d quiz/translations -l en

then translate the new entries in messages.po (and delete their ``#, fuzzy`` lines). The .mo is not
in git: ``make`` compiles it, and so does this module when it is missing or older than the .po.
"""
from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from quiz.extensions import babel
from tests.org.factories import login, make_unit, make_user

REPO = Path(__file__).resolve().parents[1]
PO = REPO / "quiz" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# the keywords of the extract command above: babel's defaults plus the lazy ones
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "N_": None}
UPDATE_HINT = (
    "Run\n"
    "  .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o quiz/translations/messages.pot .\n"
    "  .venv/bin/pybabel update -i quiz/translations/messages.pot -d quiz/translations -l en\n"
    "then translate the new entries in quiz/translations/en/LC_MESSAGES/messages.po "
    "and delete their '#, fuzzy' lines."
)
# ideographs, CJK punctuation (，。：（）“”…) and full-width forms
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2e80-\u2fdf]")
# %(name)s, %(row)d, %(p).1f …; and {n}, filled in by the exam page's script
PERCENT = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa])")
BRACES = re.compile(r"\{(\w+)\}")


def compile_catalogue() -> None:
    """Write the .mo when it is missing or older than the .po (a fresh checkout has only the .po)."""
    if MO.exists() and MO.stat().st_mtime >= PO.stat().st_mtime:
        return
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    tmp = MO.with_name(f".{MO.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        write_mo(fh, catalog)
    os.replace(tmp, MO)  # atomic: another process may be reading the old one


# at collection, so every test of the run, not only these, has an up-to-date catalogue
compile_catalogue()


def _catalogue():
    with PO.open("rb") as fh:
        return read_po(fh, locale="en")


def _key(msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _forms(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _placeholders(text: str) -> set[tuple[str, str]]:
    return {(name, "s" if conv in "sr" else conv) for name, conv in PERCENT.findall(text)} | {
        (name, "{}") for name in BRACES.findall(text)}


# (a) every message is translated, and the translation can be formatted as the msgid is

def test_every_message_has_an_english_translation():
    catalog = _catalogue()
    assert len([m for m in catalog if m.id]) > 500, "the catalogue is nearly empty"
    untranslated = [_key(m.id) for m in catalog if m.id and not all(s.strip() for s in _forms(m.string))]
    fuzzy = [_key(m.id) for m in catalog if m.id and m.fuzzy and _key(m.id) not in untranslated]
    assert not (untranslated or fuzzy), (
        (f"{len(untranslated)} messages have no English translation:\n  " + "\n  ".join(untranslated) + "\n"
         if untranslated else "")
        + (f"{len(fuzzy)} translations are marked fuzzy (guessed by pybabel update): check them, then delete "
           "their '#, fuzzy' lines:\n  " + "\n  ".join(fuzzy) + "\n" if fuzzy else "")
        + UPDATE_HINT)


def test_translations_keep_the_placeholders():
    wrong = []
    for m in _catalogue():
        if not m.id:
            continue
        want = set().union(*(_placeholders(i) for i in _forms(m.id)))
        for s in _forms(m.string):
            if _placeholders(s) != want:
                wrong.append(f"{_key(m.id)!r} -> {s!r}: placeholders {sorted(_placeholders(s))}, want {sorted(want)}")
            # templates always %-format (Jinja's newstyle gettext), so a literal % is written %%
            if m.python_format or "%%" in _key(m.id):
                rest = BRACES.sub("", PERCENT.sub("", s)).replace("%%", "")
                if "%" in rest:
                    wrong.append(f"{_key(m.id)!r} -> {s!r}: a lone % (write %% for a percent sign)")
                if s.count("%%") != _key(m.id).count("%%"):
                    wrong.append(f"{_key(m.id)!r} -> {s!r}: the msgid has {_key(m.id).count('%%')} %%")
    assert not wrong, "translations that would not format like their msgid:\n" + "\n".join(wrong)


def test_babel_finds_no_errors_in_the_catalogue():
    problems = [f"{_key(m.id)!r}: {'; '.join(map(str, errors))}" for m, errors in _catalogue().check()]
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_is_current():
    compile_catalogue()
    assert MO.exists() and MO.stat().st_mtime >= PO.stat().st_mtime


# (b) every message in the source is in the catalogue

def _extracted() -> dict[str, tuple[str, bool]]:
    """msgid -> (first place it is used, whether it has a plural), as the extract command finds them."""
    with (REPO / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")

    def wanted_dir(path: str) -> bool:
        name = os.path.basename(path)
        return not name.startswith((".", "_")) and name not in {"node_modules", "test-artifacts", "instance"}

    found: dict[str, tuple[str, bool]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(REPO), method_map, options_map, keywords=KEYWORDS, directory_filter=wanted_dir):
        msgid = _key(message)
        if msgid:
            found.setdefault(msgid, (f"{filename}:{lineno}", not isinstance(message, str)))
    return found


def test_catalogue_is_up_to_date_with_the_source():
    extracted = _extracted()
    # the method map really reaches both kinds of file
    assert "工号或密码不正确。" in extracted, "nothing extracted from quiz/**.py: check babel.cfg"
    assert "忘记密码请联系本单位管理员重置。" in extracted, "nothing extracted from templates/**.html: check babel.cfg"
    catalog = _catalogue()
    missing = [f"  {where}: {msgid!r}" for msgid, (where, _plural) in sorted(extracted.items(), key=lambda i: i[1])
               if msgid not in catalog or not all(s.strip() for s in _forms(catalog[msgid].string))]
    assert not missing, (f"{len(missing)} messages in the source have no English translation:\n"
                         + "\n".join(missing) + "\n" + UPDATE_HINT)
    singular_only = [f"  {where}: {msgid!r}" for msgid, (where, plural) in extracted.items()
                     if plural and msgid in catalog and isinstance(catalog[msgid].id, str)]
    assert not singular_only, "ngettext messages the catalogue has without plural forms:\n" + "\n".join(
        singular_only) + "\n" + UPDATE_HINT


# (c) a person who chose English sees English

class _Text(HTMLParser):
    """The text a person reads (and hears: aria-label, title, placeholder), skipping the language switch.

    The switch names the other language in that language ("中文"), on purpose.
    """

    def __init__(self, start_tag: str | None = None):
        super().__init__()
        self.start_tag = start_tag  # collect only inside the first element with this tag
        self.depth = 0 if start_tag else 1
        self.done = False
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.start_tag and not self.done and tag == self.start_tag and self.depth == 0:
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == self.start_tag:
            self.depth += 1
        if self.skip or (tag == "button" and attrs.get("name") == "lang"):
            self.skip += 1
            return
        if tag in ("script", "style"):
            self.skip += 1
            return
        self.parts += [v for k, v in attrs.items() if k in ("aria-label", "title", "placeholder", "alt") and v]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if self.skip:
            self.skip -= 1
            return
        if tag == self.start_tag:
            self.depth -= 1
            if self.depth == 0:
                self.done = True

    def handle_data(self, data):
        if self.depth and not self.skip and data.strip():
            self.parts.append(data.strip())

    @classmethod
    def of(cls, page: str, tag: str | None = None) -> str:
        parser = cls(tag)
        parser.feed(page)
        return " | ".join(parser.parts)


def _assert_english(page: str, *expected: str, where: str | None = None) -> None:
    assert '<html lang="en">' in page
    for text in expected:
        assert text in page, f"{text!r} not on the page"
    shown = _Text.of(page, where)
    assert shown, "no text found"
    assert not CJK.search(shown), f"Chinese left in {'<' + where + '>' if where else 'the page'}: " + ", ".join(
        sorted({part for part in shown.split(" | ") if CJK.search(part)}))


@pytest.fixture
def english(app):
    """A fresh catalogue: Flask-Babel keeps each locale's translations for the life of the process."""
    compile_catalogue()
    babel.domain_instance.cache.clear()
    yield
    babel.domain_instance.cache.clear()


def _switch_to_english(client) -> None:
    response = client.post("/lang", data={"lang": "en", "next": "/"})
    assert response.status_code == 302


def test_worker_who_switched_to_english_sees_the_home_page_in_english(app, client, english):
    user = make_user(name="Li Lei")
    login(client, user)
    _switch_to_english(client)
    page = client.get("/").get_data(as_text=True)
    _assert_english(page, "Hello, Li Lei", "Safety training", "Menu", "Home", "My tasks", "Practice",
                    "Mistakes book", "My certificates", "Change password", "Sign out", "No exams to do right now.")
    _assert_english(page, where="header")
    # and the whole page, since a worker with no unit and no tasks shows no data in Chinese
    _assert_english(page)


def test_english_is_remembered_at_the_next_sign_in(app, client, english):
    user = make_user(name="Li Lei")
    login(client, user)
    _switch_to_english(client)
    client.post("/logout")
    login(client, user)
    _assert_english(client.get("/").get_data(as_text=True), "Hello, Li Lei", "Sign out", where="header")


def test_sign_in_page_in_english(app, client, english):
    _switch_to_english(client)
    page = client.get("/login").get_data(as_text=True)
    _assert_english(page, "Sign in", "Employee no.", "Password",
                    "Forgot your password? Ask your unit's administrator to reset it.")
    make_user(employee_no="E1001", name="Li Lei")
    page = client.post("/login", data={"employee_no": "E1001", "password": "wrong-1"}).get_data(as_text=True)
    _assert_english(page, "Wrong employee no. or password.")


def test_sign_in_page_stays_english_after_signing_out(app, client, english):
    user = make_user(name="Li Lei")
    login(client, user)
    _switch_to_english(client)
    page = client.post("/logout", follow_redirects=True).get_data(as_text=True)
    _assert_english(page, "Sign in", "You have signed out.")


def _head(unit):
    return make_user(name="Wang Fang", unit=unit, roles={"head": [unit.id]})


def _trainer(unit):
    return make_user(name="Zhao Min", unit=unit, roles={"trainer": [None]})


def _admin(unit):
    return make_user(name="Chen Jie", unit=unit, roles={"admin": [None]})


@pytest.mark.parametrize("make", [
    _head,
    _trainer,
    _admin,
], ids=["head", "trainer", "admin"])
def test_every_role_gets_an_english_menu(app, client, english, make):
    user = make(make_unit("Plant 1"))
    login(client, user)
    _switch_to_english(client)
    page = client.get("/").get_data(as_text=True)
    _assert_english(page, "Home", "Change password", "Sign out", where="header")
