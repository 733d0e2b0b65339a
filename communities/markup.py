"""Markdown → sanitised HTML, with #hashtags and @mentions. Pure functions: no request, no
database (mentions are resolved by the caller and passed in)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import markdown
import nh3
from django.utils.html import escape

# A hashtag starts with a letter: "#1" is a number, "&#39;" an entity.
HASHTAG_RE = re.compile(r"(?<![\w&#/])#([^\W\d_][\w-]{0,58})", re.UNICODE)
# Rendered HTML split into code blocks, links and tags (left alone) and text (linkified).
_SKIP_RE = re.compile(r"(<pre>.*?</pre>|<code>.*?</code>|<a\b.*?</a>|<[^>]+>)", re.DOTALL)
# Zulip-style mentions: @**Display Name** or, when names collide, @**Display Name|42**.
MENTION_RE = re.compile(r"@\*\*([^*|\n]{1,120}?)(?:\|(\d{1,12}))?\*\*")

_TOKEN, _TOKEN_END = "PARVISMENTIONX", "XEND"
_TOKEN_RE = re.compile(rf"{_TOKEN}(\d+){_TOKEN_END}")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr",
    "h3", "h4", "span", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "span": {"class"}, "code": {"class"}}

MAX_LENGTH = 10_000  # characters of Markdown in one post or comment


def extract_hashtags(text: str) -> list[str]:
    """Lower-case, unique, in order of appearance."""
    seen: dict[str, None] = {}
    for match in HASHTAG_RE.finditer(text):
        seen.setdefault(match.group(1).lower(), None)
    return list(seen)


def extract_mentions(text: str) -> list[tuple[str, int | None]]:
    """(name, id or None) for each @**mention**."""
    return [
        (m.group(1).strip(), int(m.group(2)) if m.group(2) else None)
        for m in MENTION_RE.finditer(text)
    ]


def render(
    text: str,
    *,
    hashtag_url: str = "/tags/{}/",
    mentions: Mapping[tuple[str, int | None], tuple[str, str]] | None = None,
) -> str:
    """Render Markdown to safe HTML. ``mentions`` maps each (name, id) found by
    ``extract_mentions`` to (display name, profile URL); unresolved mentions stay text."""
    mentions = mentions or {}

    found: list[tuple[str, int | None]] = []

    def placeholder(match: re.Match) -> str:
        # Markdown would read **…** as bold: park each mention behind a token first.
        found.append((match.group(1).strip(), int(match.group(2)) if match.group(2) else None))
        return f"{_TOKEN}{len(found) - 1}{_TOKEN_END}"

    def mention_html(match: re.Match) -> str:
        key = found[int(match.group(1))]
        if key not in mentions:
            return f"@{escape(key[0])}"
        name, url = mentions[key]
        return f'<a class="mention" href="{escape(url)}">@{escape(name)}</a>'

    def mention_text(match: re.Match) -> str:
        name, pk = found[int(match.group(1))]
        return escape(f"@**{name}|{pk}**" if pk else f"@**{name}**")

    def hashtag(match: re.Match) -> str:
        tag = match.group(1)
        return f'<a class="hashtag" href="{escape(hashtag_url.format(tag.lower()))}">#{tag}</a>'

    # Raw HTML in the source is escaped first: people write Markdown, not HTML.
    source = escape(MENTION_RE.sub(placeholder, text))
    html = markdown.markdown(source, extensions=["sane_lists", "nl2br", "fenced_code"])
    parts = _SKIP_RE.split(html)
    for i, part in enumerate(parts):
        if i % 2 == 0:  # text between tags: linkify
            parts[i] = HASHTAG_RE.sub(hashtag, _TOKEN_RE.sub(mention_html, part))
        else:  # code, links, tags: give mentions back their source text
            parts[i] = _TOKEN_RE.sub(mention_text, part)
    html = "".join(parts)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def excerpt(text: str, length: int = 140) -> str:
    """A one-line plain-text excerpt for lists and e-mails: mentions read as "@Name", the
    Markdown marks that would show as clutter are dropped, whitespace is folded."""
    text = MENTION_RE.sub(lambda m: "@" + m.group(1), text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)\s]*\)", r"\1", text)  # [label](url): the label
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!])", r"\1", text)  # Markdown escapes
    text = re.sub(r"[*`]+", "", text)
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
