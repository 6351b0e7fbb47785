"""Optional second backend: drafts from an intranet language-model server (OpenAI chat-completions API).

Off unless ``DRAFTS_LLM_URL`` is set (e.g. ``http://llm.plant.local/v1``).
The same sentence splitter and scoring choose the candidate sentences; the
model is asked, in batches, for questions about those numbered sentences only,
and every answer is turned into the same ``Draft`` objects as the rule-based
generator, tied to the sentence it names. A draft that names no sentence of
the text, or that the type registry or the well-formedness rules reject, is
dropped. Any failure (server down, timeout, not JSON) raises
``Unavailable``; the caller falls back to the rule-based drafts.

No Flask, no database; the HTTP call is plain ``urllib`` (``post`` can be
replaced in tests).
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

from quiz.banks.drafts import segment
from quiz.banks.drafts.facts import build_pools, score
from quiz.banks.drafts.make import Draft, fold
from quiz.banks.drafts.sentences import split

BATCH = 25
SYSTEM = (
    "你是企业安全培训的出题助手。只根据用户给出的编号句子出题，不得引入句子以外的事实。"
    "每道题只输出一个 JSON 对象，全部放在一个 JSON 数组里，不要输出其他文字。字段："
    "sentence（所依据句子的编号，整数），type（single 单选、multiple 多选、truefalse 判断、fill 填空），"
    "stem（题干；填空题用 ____ 表示一个空），options（单选、多选的选项文字数组，不带字母），"
    "answer（单选写一个字母如 \"B\"，多选写字母如 \"ACD\"，判断写 true 或 false，填空写答案，"
    "多个可接受写法用 | 分隔）。干扰项要与正确答案同类（数字对数字，术语对术语）。"
)


class Unavailable(Exception):
    """The language-model server could not give drafts; use the rule-based ones."""


def _post(url: str, payload: dict, api_key: str | None, timeout: float) -> dict:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {api_key}"} if api_key else {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (an intranet URL set by the admin)
            return json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise Unavailable(str(exc)) from exc


def _items(content: str) -> list[dict]:
    """The JSON array in a model's reply (tolerating a ```json fence or words around it)."""
    m = re.search(r"\[.*\]", content or "", re.S)
    if not m:
        raise Unavailable("no JSON array in the reply")
    try:
        items = json.loads(m.group(0))
    except ValueError as exc:
        raise Unavailable("the reply is not JSON") from exc
    return [i for i in items if isinstance(i, dict)]


def _answer(item: dict, qtype: str, options: list[str]):
    raw = item.get("answer")
    if qtype == "truefalse":
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in ("true", "正确", "对", "t", "1")
    if qtype in ("single", "multiple"):
        letters = re.sub(r"[^A-Za-z]", "", str(raw or "")).upper()
        return sorted({ord(ch) - 65 for ch in letters if ord(ch) - 65 < len(options)})
    if qtype == "fill":
        alts = [a.strip() for a in str(raw or "").split("|") if a.strip()]
        return [alts]
    return None


def generate_llm(text: str, *, url: str, model: str = "default", api_key: str | None = None, timeout: float = 60,
                 known_terms=(), max_drafts: int | None = None, rejected=frozenset(), post=None):
    """Drafts for ``text`` from the model at ``url`` (``…/v1``); ``Unavailable`` when it fails."""
    from quiz.banks.drafts import MIN_SCORE, Result, limit, well_formed

    post = post or _post
    doc = split(text or "")
    segment.add_terms(list(known_terms))
    words_of = {s.index: segment.lcut(s.text) for s in doc.sentences}
    pools = build_pools(doc, words_of, list(known_terms))
    candidates = {}
    for s in doc.sentences:
        c = score(s, words_of[s.index], pools, set(known_terms))
        if c.score >= MIN_SCORE:
            candidates[s.index] = c
    result = Result(doc=doc, candidates=list(candidates.values()))
    endpoint = url.rstrip("/") + "/chat/completions"
    indices = list(candidates)
    seen: set[str] = set()
    for start in range(0, len(indices), BATCH):
        batch = indices[start:start + BATCH]
        listing = "\n".join(f"{i}. {doc.sentences[i].text}" for i in batch)
        reply = post(endpoint, {"model": model, "temperature": 0.2, "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"请为下列句子各出一到两道题：\n{listing}"}]}, api_key, timeout)
        try:
            content = reply["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise Unavailable("unexpected reply") from exc
        for item in _items(content):
            index = item.get("sentence")
            qtype = item.get("type")
            if not isinstance(index, int) or index not in candidates or qtype not in ("single", "multiple",
                                                                                     "truefalse", "fill"):
                continue  # every draft must cite a sentence of the text
            c = candidates[index]
            options = [str(o).strip() for o in item.get("options") or []] if qtype in ("single", "multiple") else []
            draft = Draft(qtype, str(item.get("stem") or "").strip(), options, _answer(item, qtype, options),
                          c.sentence, c.sentence.heading, {"fill": 3, "multiple": 3}.get(qtype, 2), c.score,
                          "llm", explanation=c.sentence.text, features=c.features)
            if well_formed(draft):
                continue
            same_stem = f"{draft.type}:{fold(draft.stem)}"
            if draft.key in seen or same_stem in seen:
                continue
            seen.update((draft.key, same_stem))
            if draft.key in rejected:
                result.rejected_skipped += 1
                continue
            result.drafts.append(draft)
    result.drafts = limit(result.drafts, max_drafts)
    result.backend = "llm"
    return result
