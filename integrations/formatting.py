"""What an integration's message or feed entry becomes as a post body (Markdown that the
communities service renders and sanitises). Pure functions: no request, no database.

Text from outside never mentions anyone: ``@**Name**`` is written out literally, so a feed
or a webhook cannot notify people of the community.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

import nh3

from communities.markup import MAX_LENGTH

# Markdown's special characters, escaped in text that should read as written.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~-])")
# Slack's link syntax: <https://example.org|label> or <https://example.org>.
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|([^>]{1,200}))?>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def neutralise_mentions(text: str) -> str:
    return text.replace("@**", "@\\*\\*")


def safe_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL, quoted for a Markdown link; '' otherwise."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 1000:
        return ""
    return quote(url, safe=":/?#@!$&'*+,;=%~-._[]")


def html_to_text(fragment: str, *, limit: int) -> str:
    """Visible text of an HTML fragment (a feed summary): tags and scripts dropped,
    paragraphs kept, trimmed to ``limit`` characters on a word boundary."""
    marked = re.sub(r"(?i)<\s*(br|/p|/div|/li|/h\d)\s*/?>", "\n\n", fragment or "")
    text = html.unescape(nh3.clean(marked, tags=set()))
    text = "\n\n".join(
        _SPACES.sub(" ", part).strip() for part in _BLANK_LINES.split(text) if part.strip()
    )
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text


def _link(label: str, url: str) -> str:
    return f"[{md_escape(label)}]({url})"


def webhook_body(*, text: str, title: str = "", url: str = "") -> str:
    """A webhook message: optional bold title, the text (Markdown, Slack links turned into
    Markdown links), optional link."""

    def slack_link(match: re.Match) -> str:
        target = safe_url(match.group(1))
        if not target:
            return match.group(0)
        return _link(match.group(2) or match.group(1), target)

    parts = []
    if title.strip():
        parts.append(f"**{md_escape(' '.join(title.split()))}**")
    parts.append(neutralise_mentions(_SLACK_LINK.sub(slack_link, text.strip())))
    link = safe_url(url)
    if link:
        parts.append(_link(url.strip(), link))
    return "\n\n".join(parts)[:MAX_LENGTH]


def feed_entry_body(*, title: str, summary_html: str, link: str, summary_limit: int) -> str:
    """A feed entry: the title (a link to the entry when it has one), then the summary as
    plain text. Everything from the feed is escaped: it reads as written, never as markup."""
    title = " ".join(html_to_text(title, limit=300).split())
    url = safe_url(link)
    parts = []
    if title:
        parts.append(f"**{_link(title, url) if url else md_escape(title)}**")
    summary = html_to_text(summary_html, limit=summary_limit)
    if summary:
        parts.append(md_escape(summary))
    if url and not title:
        parts.append(_link(link.strip(), url))
    return "\n\n".join(parts)[:MAX_LENGTH]
