"""Benchmark: draft questions from the shipped articles and the 4-page newsletter.

Prints one JSON line:

* ``recall``: of the human-written questions shipped in ``question_banks/*.txt``
  whose bank names its article(s) with ``# 文章：``, the share whose source
  sentence is also the source of at least one draft. A question's source
  sentence is the sentence of its bank's articles that best matches the
  question's 原文 (without the ``《劲旅》…第N版：`` / ``通用…知识：`` prefix)
  plus its answer text (the right options' texts, the fill-in answers; for
  true/false, and when 原文 has no sentence, the stem too): the highest Dice
  coefficient of character-bigram sets, both sides NFKC-normalised with
  punctuation and spaces removed; questions whose best score is below 0.1
  match no sentence and are left out. Drafts are made without the platform's
  terms (``recall``), and with the terms of the shipped banks as the review
  page would (``recall_with_platform_terms``).
* ``drafts_per_1000_chars``, ``type_share`` and ``seconds_per_article`` over
  the shipped articles, and ``newsletter`` (``../shared/source/jinglv-2153.txt``):
  seconds, drafts, characters; the 1-minute load average while it ran.
  jieba's one-off dictionary load is timed apart (``jieba_load_seconds``).
"""
import json
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quiz.banks.drafts import generate, segment  # noqa: E402
from quiz.banks.formats import parse  # noqa: E402
from quiz.banks.services import read_article_file  # noqa: E402

BANKS = ROOT / "question_banks"
NEWSLETTER = ROOT.parent / "shared" / "source" / "jinglv-2153.txt"
PREFIX = re.compile(r"^(?:《劲旅》总第\d+期第[^：:]*[：:]|通用(?:安全|岗位)知识[：:]?)")
MIN_MATCH = 0.1


from _figures import figure  # noqa: E402

def norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text or ""))


def bigrams(text: str) -> set[str]:
    t = norm(text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def query_of(q) -> str:
    source = PREFIX.sub("", (q.source_excerpt or "").strip())
    if q.type in ("single", "multiple"):
        answer = " ".join(q.options[i] for i in q.answer)
    elif q.type == "fill":
        answer = " ".join(alts[0] for alts in q.answer)
    elif q.type == "short":
        answer = " ".join(q.answer.get("keywords") or [])
    else:
        answer = ""
    if q.type == "truefalse" or len(norm(source)) < 4:
        answer = q.stem + " " + answer
    return source + " " + answer


def shipped_banks():
    for path in sorted(BANKS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        m = re.search(r"^#\s*文章[：:]\s*(.+)$", text, re.M)
        if not m:
            continue
        names = [n.strip() for n in re.split(r"[、,，]", m.group(1)) if n.strip()]
        yield path, names, parse(text.encode("utf-8"), path.name).questions


def platform_terms(banks) -> list[str]:
    terms = []
    quoted = re.compile(r"[“\"]([^“”\"]{2,16})[”\"]")
    for _path, _names, questions in banks:
        for q in questions:
            terms.append(q.category)
            terms += quoted.findall(q.stem)
            if q.type == "fill":
                terms += [alts[0] for alts in q.answer if alts and not re.search(r"\d", alts[0])]
    return [t for t in dict.fromkeys(terms) if t and 2 <= len(t) <= 16]


def recall(banks, articles, results) -> tuple[float, int, int]:
    hit = total = 0
    sentence_bigrams = {name: [bigrams(s.text) for s in results[name].doc.sentences] for name in articles}
    sources = {name: results[name].source_sentences() for name in articles}
    for _path, names, questions in banks:
        for q in questions:
            query = bigrams(query_of(q))
            best = (0.0, None, None)
            for name in names:
                for i, grams in enumerate(sentence_bigrams.get(name, [])):
                    score = dice(query, grams)
                    if score > best[0]:
                        best = (score, name, i)
            if best[0] < MIN_MATCH:
                continue
            total += 1
            hit += best[2] in sources[best[1]]
    return (hit / total if total else 0.0), hit, total


def _limited(result, n: int):
    from copy import copy

    from quiz.banks.drafts import limit

    out = copy(result)
    out.drafts = limit(result.drafts, max(n, 1))
    return out


def main() -> None:
    start = time.perf_counter()
    segment.lcut("预热")  # jieba loads its dictionary once per process
    segment.tag("安全")
    jieba_load = time.perf_counter() - start
    banks = list(shipped_banks())
    names = sorted({n for _p, ns, _q in banks for n in ns} | {p.name for p in (BANKS / "articles").glob("*.md")})
    articles = {n: read_article_file(BANKS / "articles" / n)["body"] for n in names}

    results, seconds = {}, {}
    for name, body in articles.items():
        t = time.perf_counter()
        results[name] = generate(body)
        seconds[name] = round(time.perf_counter() - t, 3)
    plain_recall, hit, total = recall(banks, articles, results)

    budget = {}
    for per_1000 in (10, 20, 30):  # the best-scoring drafts only: is the scoring choosing what people ask?
        limited = {name: _limited(results[name], len(articles[name]) * per_1000 // 1000) for name in articles}
        budget[str(per_1000)] = round(recall(banks, articles, limited)[0], 3)

    terms = platform_terms(banks)
    with_terms = {name: generate(body, known_terms=terms) for name, body in articles.items()}
    term_recall, term_hit, _ = recall(banks, articles, with_terms)

    drafts = [d for r in results.values() for d in r.drafts]
    chars = sum(len(b) for b in articles.values())
    types = Counter(d.type for d in drafts)

    newsletter = {}
    if NEWSLETTER.exists():
        text = NEWSLETTER.read_text(encoding="utf-8")
        load_before = os.getloadavg()[0]
        t = time.perf_counter()
        result = generate(text)
        newsletter = {"seconds": round(time.perf_counter() - t, 3), "drafts": len(result.drafts),
                      "characters": len(text), "sentences": len(result.doc.sentences),
                      "load_average_1min": round(max(load_before, os.getloadavg()[0]), 2)}

    print(json.dumps({
        "benchmark": "drafts",
        "recall": round(plain_recall, 3), "questions_matched": total, "questions_hit": hit,
        "recall_at_drafts_per_1000_chars": budget,
        "recall_with_platform_terms": round(term_recall, 3), "questions_hit_with_terms": term_hit,
        "drafts": len(drafts), "characters": chars,
        "drafts_per_1000_chars": round(len(drafts) * 1000 / chars, 1) if chars else 0,
        "type_share": {t: round(n / len(drafts), 3) for t, n in sorted(types.items())} if drafts else {},
        "seconds_per_article": seconds,
        "seconds_per_article_mean": round(sum(seconds.values()) / len(seconds), 3) if seconds else 0,
        "newsletter": newsletter,
        "jieba_load_seconds": round(jieba_load, 3),
        "cpus": os.cpu_count(),
    }, ensure_ascii=False))
    figure("drafts: recall of the sentences the shipped questions rest on", plain_recall * 100, "%")
    if newsletter:
        figure("drafts: the whole newsletter", newsletter["seconds"], "s")


if __name__ == "__main__":
    main()
