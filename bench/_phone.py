"""A simulated worker's phone: signs in through ``/login``, starts the exam
through its start form, reads the attempt page the way the phone's script
does (CSRF meta tag, one form per question, its inputs), saves answers
through ``POST /api/attempts/<id>/answers`` with a growing sequence number,
and submits through the API.

Like ``static/js/exam.js``'s queue, an answer is resent until the server
acknowledges it (``saved_seq`` at or above what was sent) or refuses it for
good; a broken connection, a timeout or a 5xx is retried with backoff. Every
retry loop is bounded by a number of tries and by the scenario's deadline.
"""
from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field

from _load import Client, Latencies, Response, csrf_from
from _seed import Sent

RETRYABLE_STATUS = {429, 500, 502, 503, 504}
MAX_TRIES = 30


@dataclass
class Question:
    position: int
    field: str
    kind: str  # radio, checkbox, blank, text
    options: list[str]
    blanks: int = 1


_FORM = re.compile(r'<form id="q(\d+)"[^>]*>(.*?)</form>', re.S)
_TAG = re.compile(r"<(input|textarea)\b([^>]*)>", re.S)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def parse_attempt_page(html: str) -> list[Question]:
    """The questions of an attempt page: for each form, the inputs named after it."""
    questions = []
    for match in _FORM.finditer(html):
        position, body = int(match.group(1)), match.group(2)
        name = f"q{position}"
        options: list[str] = []
        kind, blanks = "text", 0
        for tag, attrs in _TAG.findall(body):
            a = dict(_ATTR.findall(attrs))
            if a.get("name") != name:
                continue
            if tag == "textarea":
                kind, blanks = "text", 1
            elif a.get("type") in ("radio", "checkbox"):
                kind = a["type"]
                options.append(a.get("value", ""))
            else:
                kind, blanks = "blank", blanks + 1
        questions.append(Question(position, name, kind, options, max(blanks, 1)))
    return questions


def choose(question: Question, rng: random.Random) -> list[str]:
    """What a worker taps: an option, a few options, or some words."""
    if question.kind == "radio" and question.options:
        return [rng.choice(question.options)]
    if question.kind == "checkbox" and question.options:
        picked = [o for o in question.options if rng.random() < 0.5] or [rng.choice(question.options)]
        return picked
    if question.kind == "blank":
        return [rng.choice(["安全", "停机挂牌", "三不伤害", "佩戴防护用品"]) + str(rng.randrange(100))
                for _ in range(question.blanks)]
    return [rng.choice(["先停机、断电、挂牌，再检修。", "按规程操作，发现隐患及时上报。"]) + str(rng.randrange(1000))]


class Refused(Exception):
    """The server answered with a final refusal (not worth retrying)."""

    def __init__(self, response: Response):
        super().__init__(f"HTTP {response.status}: {response.text[:200]}")
        self.response = response


class GaveUp(Exception):
    """Tries or time ran out."""


@dataclass
class Tally:
    """What the phones saw, summed over all of them."""

    latency: dict[str, Latencies] = field(default_factory=dict)
    ack_delay: Latencies = field(default_factory=Latencies)  # save: first send to acknowledgement
    failed_requests: dict[str, int] = field(default_factory=dict)  # op:reason -> count (retried or not)
    errors: dict[str, int] = field(default_factory=dict)  # op:reason -> operations that never succeeded
    sent: list[Sent] = field(default_factory=list)
    submitted: set[int] = field(default_factory=set)

    def lat(self, op: str) -> Latencies:
        return self.latency.setdefault(op, Latencies())

    def fail(self, op: str, reason: str) -> None:
        key = f"{op}:{reason}"
        self.failed_requests[key] = self.failed_requests.get(key, 0) + 1

    def error(self, op: str, reason: str) -> None:
        key = f"{op}:{reason}"
        self.errors[key] = self.errors.get(key, 0) + 1


class Phone:
    def __init__(self, port: int, employee_no: str, password: str, tally: Tally, rng: random.Random,
                 deadline: float, timeout: float = 30.0):
        self.client = Client(port, timeout)
        self.employee_no = employee_no
        self.password = password
        self.tally = tally
        self.rng = rng
        self.deadline = deadline  # time.monotonic() after which nothing more is tried
        self.csrf: str | None = None
        self.attempt_id: int | None = None
        self.questions: list[Question] = []
        self.seq = 0

    async def call(self, op: str, method: str, path: str, ok, **kwargs) -> Response:
        """One operation, retried like the phone retries: ``ok(response)``
        says whether it succeeded; 429/5xx, broken connections and timeouts
        are retried with backoff, anything else is a final refusal."""
        delay = 0.25
        for _try in range(MAX_TRIES):
            if time.monotonic() > self.deadline:
                break
            try:
                response = await self.client.request(method, path, **kwargs)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as exc:
                self.tally.fail(op, type(exc).__name__)
            else:
                if ok(response):
                    self.tally.lat(op).add(response.seconds)
                    return response
                if response.status not in RETRYABLE_STATUS:
                    self.tally.fail(op, str(response.status))
                    self.tally.error(op, str(response.status))
                    raise Refused(response)
                self.tally.fail(op, str(response.status))
            await asyncio.sleep(min(delay, max(0.0, self.deadline - time.monotonic())) * (0.5 + self.rng.random()))
            delay = min(delay * 2, 4.0)
        self.tally.error(op, "gave_up")
        raise GaveUp(op)

    def _api_headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.csrf or ""}

    async def sign_in(self) -> None:
        page = await self.call("login_page", "GET", "/login", lambda r: r.status == 200)
        token = csrf_from(page.text)
        await self.call("login", "POST", "/login",
                        lambda r: r.status == 302 and "/login" not in r.headers.get("location", ""),
                        form={"employee_no": self.employee_no, "password": self.password, "csrf_token": token,
                              "next": ""})

    async def start(self, exam_id: int) -> int:
        intro = await self.call("intro", "GET", f"/exams/{exam_id}", lambda r: r.status == 200)
        token = csrf_from(intro.text)
        started = await self.call("start", "POST", f"/exams/{exam_id}/start",
                                  lambda r: r.status == 302 and "/attempts/" in r.headers.get("location", ""),
                                  form={"csrf_token": token})
        self.attempt_id = int(re.search(r"/attempts/(\d+)", started.headers["location"]).group(1))
        return self.attempt_id

    async def open_attempt(self, attempt_id: int | None = None) -> None:
        """Load the attempt page: CSRF token, the questions, the highest saved sequence number."""
        self.attempt_id = attempt_id or self.attempt_id
        page = await self.call("page", "GET", f"/attempts/{self.attempt_id}", lambda r: r.status == 200)
        self.csrf = csrf_from(page.text)
        self.questions = parse_attempt_page(page.text)
        match = re.search(r'data-max-seq="(\d+)"', page.text)
        self.seq = max(self.seq, int(match.group(1)) if match else 0)

    async def save(self, question: Question, values: list[str]) -> Sent:
        """Send one answer until it is acknowledged (or refused for good)."""
        self.seq += 1
        sent = Sent(self.attempt_id, question.position, self.seq, values)
        self.tally.sent.append(sent)
        first = time.perf_counter()

        def acked(r: Response) -> bool:
            if r.status != 200:
                return False
            data = r.json()
            return bool(data.get("ok")) and int(data.get("saved_seq", -1)) >= sent.seq

        await self.call("save", "POST", f"/api/attempts/{self.attempt_id}/answers", acked,
                        json_body={"position": question.position, "values": values, "seq": sent.seq},
                        headers=self._api_headers())
        sent.acked = True
        self.tally.ack_delay.add(time.perf_counter() - first)
        return sent

    async def submit(self) -> None:
        await self.call("submit", "POST", f"/api/attempts/{self.attempt_id}/submit",
                        lambda r: r.status == 200 and r.json().get("status") == "submitted",
                        json_body={}, headers=self._api_headers())
        self.tally.submitted.add(self.attempt_id)

    async def close(self) -> None:
        await self.client.close()
