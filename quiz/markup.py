"""Text people type, turned into HTML that is safe to show: one place for every domain.

Articles, study texts and any other Markdown a trainer writes go through
``render_markdown``: markdown-it-py (CommonMark plus tables and
strikethrough, raw HTML off) renders it, and nh3 keeps only an allow-list of
tags and attributes. HTML an admin types (the certificate template's texts)
goes through ``sanitize_html`` with the small formatting allow-list.

Pure: no Flask, no database. Low in the layers, so banks, certificates,
paths and sessions can all use it.
"""
from __future__ import annotations

import functools
import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

#: what an article may contain: structure, emphasis, tables, links and images
BLOCK_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code",
    "ul", "ol", "li", "strong", "b", "em", "i", "u", "s", "del", "sub", "sup", "small", "mark", "span",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "a", "img",
})
#: formatting inside a line (the certificate's texts): no blocks, links or images
INLINE_TAGS = frozenset({"b", "strong", "i", "em", "u", "s", "sub", "sup", "small", "mark", "span", "br"})

_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"class"},
    "td": {"class"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
# markdown-it writes a table column's alignment as style="text-align:…"; the Content-Security-Policy
# allows no style attributes, so it becomes one of these classes (static/css/app.css)
_ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
_ALIGN_STYLE = re.compile(r'<(th|td) style="text-align:(left|center|right)">')


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    # Images come from the app itself (uploaded with the article): a relative
    # path, never another host (the plant intranet has no way out, and an
    # outside image would tell another server who reads what).
    if tag == "img" and attr == "src" and not (value.startswith("/") and not value.startswith("//")):
        return None
    if attr == "class" and value not in _ALIGN_CLASSES:
        return None
    return value


@functools.lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # html=False: raw HTML in the source is shown as text, not passed through;
    # breaks=True: a single line break in Chinese text is a line break, not a space.
    return MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])


def sanitize_html(html: str, tags: frozenset[str] | set[str] = BLOCK_TAGS) -> Markup:
    """``html`` with only the allowed ``tags`` (and their safe attributes) kept.

    Scripts, styles and iframes go with their content; ``on*`` attributes,
    ``javascript:`` and ``data:`` URLs and images from other hosts are
    dropped; links get ``rel="noopener noreferrer"``.
    """
    tags = set(tags)
    return Markup(nh3.clean(
        html or "",
        tags=tags,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"},
        attributes={tag: attrs for tag, attrs in _ATTRIBUTES.items() if tag in tags},
        attribute_filter=_attribute_filter,
        url_schemes=_URL_SCHEMES,
        strip_comments=True,
    ))


def render_markdown(text: str) -> Markup:
    """Markdown as safe HTML: headings, lists, bold, tables, links and the app's own images."""
    html = _ALIGN_STYLE.sub(r'<\1 class="align-\2">', _markdown().render(text or ""))
    return sanitize_html(html)
