"""Markdown → sanitised HTML, with #hashtags and @mentions. Pure functions: no request, no
database (mentions are resolved by the caller and passed in).

CommonMark (markdown-it-py) with raw HTML off, bare URLs linked, ~~strikethrough~~ and one
line break per new line. Hashtags and mentions are inline rules of the parser, so they
follow its rules: nothing inside `code`, nothing after a backslash (``\\#not-a-tag``),
nothing inside a link's label. A heading needs a space after its ``#`` (CommonMark's own
rule), so ``#newcomer Hello`` at the start of a line is a hashtag, ``# Hello`` a heading.
nh3 sanitises the result last, whatever the parser did.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

# A hashtag starts with a letter ("#1" is a number) and does not end with "_" ("_#tag_" is
# emphasis); what may not come before it ("&#39;" is an entity, "…/#top" a URL) is
# checked where the parser stands.
_HASHTAG_AT = re.compile(r"#([^\W\d_](?:[\w-]{0,58}(?<!_))?)", re.UNICODE)
_NOT_BEFORE_HASHTAG = re.compile(r"[^\W_]|[&#/]", re.UNICODE)  # "_#tag_" is emphasis
# Zulip-style mentions: @**Display Name** or, when names collide, @**Display Name|42**.
MENTION_RE = re.compile(r"@\*\*([^*|\n]{1,120}?)(?:\|(\d{1,12}))?\*\*")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr",
    "h3", "h4", "span", "del", "s",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "span": {"class"},
    "code": {"class"},
    "ol": {"start"},
}

MAX_LENGTH = 10_000  # characters of Markdown in one post or comment

Mentions = Mapping[tuple[str, int | None], tuple[str, str]]


def _mention_key(match: re.Match) -> tuple[str, int | None]:
    return match.group(1).strip(), int(match.group(2)) if match.group(2) else None


def _push_link(state: StateInline, *, css: str, href: str, text: str) -> None:
    token = state.push("link_open", "a", 1)
    token.attrs = {"class": css, "href": href}
    token = state.push("text", "", 0)
    token.content = text
    state.push("link_close", "a", -1)


def _mention_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "@":
        return False
    match = MENTION_RE.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        key = _mention_key(match)
        state.env.setdefault("found_mentions", []).append(key)
        resolved = state.env.get("mentions", {}).get(key)
        if resolved is not None and state.linkLevel == 0:
            name, url = resolved
            _push_link(state, css="mention", href=url, text=f"@{name}")
        else:  # unknown, not visible, erased, or inside a link: the name as text
            state.push("text", "", 0).content = f"@{key[0]}"
    state.pos = match.end()
    return True


def _hashtag_rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if state.src[pos] != "#" or state.linkLevel > 0:
        return False
    if pos > 0 and _NOT_BEFORE_HASHTAG.match(state.src[pos - 1]):
        return False
    match = _HASHTAG_AT.match(state.src, pos)
    if match is None:
        return False
    if not silent:
        tag = match.group(1)
        state.env.setdefault("hashtags", []).append(tag.lower())
        url = state.env.get("hashtag_url", "/tags/{}/").format(tag.lower())
        _push_link(state, css="hashtag", href=url, text=f"#{tag}")
    state.pos = match.end()
    return True


def _small_headings(state: StateCore) -> None:
    """A post sits under the page's own headings: # and ## become h3 and h4."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h3" if token.tag == "h1" else "h4"


def _bare_domains_stay_text(state: StateCore) -> None:
    """Bare URLs are links when they say so (``https://…``, ``www.…``, an e-mail address),
    as on GitHub: "README.md" or "notes.py" are file names, not Moldovan or Paraguayan
    sites."""
    for block in state.tokens:
        children = block.children or []
        i = 0
        while i + 2 < len(children):
            opening, label = children[i], children[i + 1]
            if (
                opening.type == "link_open"
                and opening.markup == "linkify"
                and not _EXPLICIT_LINK.match(label.content)
            ):
                label.type = "text"
                children[i : i + 3] = [label]
            i += 1


_EXPLICIT_LINK = re.compile(r"(?i)[a-z][a-z0-9.+-]*:|www\.|[^\s@]+@")


_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    default_validate = md.validateLink

    def validate_link(url: str) -> bool:
        # The schemes nh3 keeps: any other link would lose its href and read as a dead link.
        scheme = _SCHEME.match(url)
        allowed = scheme is None or scheme.group(1).lower() in ("http", "https", "mailto")
        return allowed and default_validate(url)

    md.validateLink = validate_link  # type: ignore[method-assign]
    md.enable(["linkify", "strikethrough"])
    # An image would be dropped by the sanitiser with its text: "![label](url)" reads as
    # "!" and a link instead.
    md.disable(["image"])
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.inline.ruler.before("emphasis", "hashtag", _hashtag_rule)
    md.core.ruler.after("linkify", "bare_domains_stay_text", _bare_domains_stay_text)
    md.core.ruler.push("small_headings", _small_headings)
    return md


_MD = _parser()


def _parse(text: str, env: dict[str, Any]) -> list:
    return _MD.parse(text, env)


def extract_hashtags(text: str) -> list[str]:
    """Lower-case, unique, in order of appearance: exactly the tags ``render`` links."""
    env: dict[str, Any] = {}
    _parse(text, env)
    return list(dict.fromkeys(env.get("hashtags", [])))


def extract_mentions(text: str) -> list[tuple[str, int | None]]:
    """(name, id or None) for each @**mention** that ``render`` may link (not in code)."""
    env: dict[str, Any] = {}
    _parse(text, env)
    return env.get("found_mentions", [])


def render(
    text: str,
    *,
    hashtag_url: str = "/tags/{}/",
    mentions: Mentions | None = None,
) -> str:
    """Render Markdown to safe HTML. ``mentions`` maps each (name, id) found by
    ``extract_mentions`` to (display name, profile URL); unresolved mentions stay text."""
    env: dict[str, Any] = {"hashtag_url": hashtag_url, "mentions": mentions or {}}
    html = _MD.renderer.render(_parse(text, env), _MD.options, env)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


# Where one block of rendered HTML ends and the next begins: a space in plain text.
_BLOCK_BREAK = re.compile(r"(?i)<br\s*/?>|</(?:p|li|h\d|blockquote|pre|div)>|<(?:hr)\s*/?>")


def plain_text(html: str) -> str:
    """The text a reader sees in rendered HTML, on one line (search results, previews)."""
    text = nh3.clean(_BLOCK_BREAK.sub(" ", html), tags=set())
    return " ".join(html_lib.unescape(text).split())


def excerpt(text: str, length: int = 140) -> str:
    """A one-line plain-text excerpt of Markdown for lists and e-mails: what the rendered
    text reads (mentions as "@Name", no Markdown marks), whitespace folded."""
    text = plain_text(render(text))
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
