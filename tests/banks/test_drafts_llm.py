"""The optional language-model backend, against a small local HTTP stub of the
OpenAI chat-completions API: same draft objects citing their sentences; rules
when the server fails; off by default."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from quiz.banks import draft_service, services
from quiz.banks.drafts import well_formed
from quiz.banks.drafts.llm import Unavailable, generate_llm
from quiz.extensions import db
from tests.org.factories import login, make_user

TEXT = "## 观察怎么做\n\n对同一名作业人员连续观察，至少30秒。\n\n严重违章时必须马上制止，让员工停下手上的工作。\n"


class Stub(BaseHTTPRequestHandler):
    requests: list = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Stub.requests.append((self.path, body))
        listing = body["messages"][-1]["content"]
        numbers = [int(n) for n in re.findall(r"^(\d+)\. ", listing, re.M)]
        items = [
            {"sentence": numbers[0], "type": "single", "stem": "对同一名作业人员连续观察，至少（ ）。",
             "options": ["10秒", "30秒", "60秒", "5分钟"], "answer": "B"},
            {"sentence": numbers[-1], "type": "truefalse", "stem": "严重违章时必须马上制止。", "answer": True},
            {"sentence": numbers[0], "type": "fill", "stem": "连续观察至少____。", "answer": "30秒|30"},
            {"sentence": 999, "type": "truefalse", "stem": "没有出处的题。", "answer": True},  # dropped
            {"sentence": numbers[0], "type": "single", "stem": "坏题", "options": ["甲"], "answer": "A"},  # dropped
        ]
        reply = {"choices": [{"message": {"role": "assistant",
                                          "content": "```json\n" + json.dumps(items, ensure_ascii=False) + "\n```"}}]}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    server = HTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Stub.requests = []
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()
    server.server_close()


def test_the_model_drafts_become_the_same_draft_objects_citing_sentences(stub):
    result = generate_llm(TEXT, url=stub, model="qwen")
    assert result.backend == "llm"
    assert [d.type for d in result.drafts] == ["single", "fill", "truefalse"]
    for d in result.drafts:
        assert well_formed(d) == [] and d.sentence.text in TEXT and d.knowledge_point == "观察怎么做"
    path, body = Stub.requests[0]
    assert path == "/v1/chat/completions" and body["model"] == "qwen"
    assert "至少30秒" in body["messages"][-1]["content"]


def test_a_server_that_is_down_is_unavailable():
    with pytest.raises(Unavailable):
        generate_llm(TEXT, url="http://127.0.0.1:9/v1", timeout=2)


def test_the_page_uses_the_model_when_set_and_the_rules_when_it_fails(app, client, stub):
    trainer = make_user(name="郭培训", roles={"trainer": [None]})
    article = services.create_article("观察", body=TEXT)
    db.session.commit()
    login(client, trainer)
    assert app.config["DRAFTS_LLM_URL"] == ""  # off by default
    app.config["DRAFTS_LLM_URL"] = stub
    try:
        page = client.get(f"/banks/articles/{article.id}/drafts").get_data(as_text=True)
        assert "内网语言模型" in page and page.count('data-key="') == 3
        app.config["DRAFTS_LLM_URL"] = "http://127.0.0.1:9/v1"
        app.config["DRAFTS_LLM_TIMEOUT"] = 2
        result = draft_service.drafts_for_article(article)
        assert result.backend == "rules" and result.notice and result.drafts
    finally:
        app.config["DRAFTS_LLM_URL"] = ""
        app.config["DRAFTS_LLM_TIMEOUT"] = 60
