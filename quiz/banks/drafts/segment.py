"""Words and their parts of speech, through jieba, extended with the platform's terms.

jieba's dictionary ships with the package (no download). Tokenising a whole
newsletter with ``jieba.lcut`` takes a fraction of a second; jieba's own
part-of-speech tagger (``jieba.posseg``) runs an HMM over every character
and takes over ten times longer, so words are tagged from the dictionary
that ``posseg`` loads (``word_tag_tab``) instead, and ``posseg.cut`` is run
only on the single words that dictionary lacks (each once). Terms the
platform already knows (bank categories, quoted phrases, job types, units)
and the quoted and bold phrases of the text are added with
``jieba.add_word`` so that 五个不放过 or 化灰机工 stay one word.
"""
from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

_lock = threading.Lock()
_added: set[str] = set()

# Words never worth a blank: function words, pronouns, vague verbs and adverbs.
STOP_WORDS = frozenset("""
的 了 和 与 及 以及 或 或者 而 并 并且 也 还 都 就 才 又 再 很 更 最 太 等 等等 之 其 此 这 那 这些 那些 这个 那个 这样 那样
是 有 在 为 被 把 将 对 从 向 到 于 以 让 使 给 由 按 用 跟 同 比 要 能 会 可 可以 应 应当 应该 须 必须 不 没 没有 无 非 未
我 你 他 她 它 我们 你们 他们 大家 自己 人 员工 之前 之后 以后 以前 时 时候 时间 地方 方面 方式 情况 问题 工作 事 事情 东西
一 一个 一种 一些 一定 一般 一起 一直 一样 所有 各 各种 每 每个 个 种 些 上 下 中 里 内 外 前 后 左 右 起来 出来 下来 进行 开展 做 干 搞
做到 确保 能够 需要 是否 是不是 不到 处在 可能 等到 看到 出现 发现 进一步 方式 要求 相关 有关 主要 重要 一段时间 有人 某个 一次 这种 哪里 什么 怎么 怎样 如何 为什么 因为 所以 但是 但 如果 虽然 然后 同时 其中 另外 此外 通过 根据 按照
大量 及时 立即 马上 按规定 规定 全部 部分 一部分 情形 东西 办法
""".split())
NOUN_TAGS = ("n", "nz", "nt", "ns", "nr", "i", "j", "an", "eng")
VERB_TAGS = ("v", "vd")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def add_terms(terms) -> None:
    """Teach jieba the platform's terms (each added once per process)."""
    new = [t.strip() for t in terms if t and 2 <= len(t.strip()) <= 16 and t.strip() not in _added]
    if not new:
        return
    with _lock:
        for term in new:
            if term in _added:
                continue
            jieba.add_word(term, freq=max(2000, 400 * len(term)), tag="nz")
            _added.add(term)
        _tags.cache_clear()


def lcut(text: str) -> list[str]:
    return jieba.lcut(text, HMM=True)


@lru_cache(maxsize=1)
def _tags() -> dict[str, str]:
    import jieba.posseg as pseg

    table = dict(pseg.dt.word_tag_tab)
    table.update(jieba.dt.user_word_tag_tab)
    return table


def tag(word: str) -> str:
    """The word's part of speech from the dictionary: 'n', 'v', 'm' …; a word jieba
    found but its dictionary lacks is tagged by ``jieba.posseg`` on the word alone."""
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return "m"
    if word in _added:
        return "nz"
    found = _tags().get(word)
    if found is None and len(word) >= 2 and _WORD.search(word):
        return _guess(word)
    return found or ""


@lru_cache(maxsize=8192)
def _guess(word: str) -> str:
    import jieba.posseg as pseg

    pairs = list(pseg.cut(word))
    return pairs[0].flag if len(pairs) == 1 else ""


def is_content_word(word: str) -> bool:
    """A word worth a blank: two or more characters of text, not a stop word."""
    core = re.sub(r"[\W_]", "", word)
    return len(core) >= 2 and word not in STOP_WORDS and core not in STOP_WORDS and not core.isdigit()


def kind_of(tag_: str) -> str:
    """'noun', 'verb' or '' for a part-of-speech tag: distractors share the kind of the answer."""
    if tag_ in NOUN_TAGS or tag_.startswith("n") and tag_ != "nrt":
        return "noun"
    if tag_ in VERB_TAGS or tag_.startswith("v"):
        return "verb"
    return ""
