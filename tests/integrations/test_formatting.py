"""Messages and feed entries → Markdown (pure functions)."""

from __future__ import annotations

from communities.markup import render
from integrations import formatting


def test_webhook_body_title_text_link():
    body = formatting.webhook_body(
        text="Signed <https://crm.example/d/1|ACME>", title="New *deal*", url="https://x.example/"
    )
    html = render(body)
    assert "<strong>New *deal*</strong>" in html
    assert '<a href="https://crm.example/d/1"' in html and ">ACME</a>" in html
    assert 'href="https://x.example/"' in html


def test_unsafe_links_are_dropped():
    assert formatting.safe_url("javascript:alert(1)") == ""
    assert formatting.safe_url("data:text/html,x") == ""
    assert formatting.safe_url("https://a.example/(x) y") == "https://a.example/%28x%29%20y"
    html = render(formatting.webhook_body(text="<javascript:alert(1)|click>"))
    assert "javascript:" not in html.replace("&lt;javascript:alert(1)|click&gt;", "")


def test_feed_entry_is_text_only_and_trimmed():
    body = formatting.feed_entry_body(
        title="<b>Hello</b> #world",
        summary_html="<p>" + "word " * 400 + "</p><script>bad()</script>",
        link="https://blog.example.org/p",
        summary_limit=100,
    )
    html = render(body)
    assert "bad()" not in html and "<b>" not in html
    assert 'class="hashtag"' not in html  # a feed does not tag the community's posts
    assert html.count("word") < 30 and "…" in html


def test_mentions_from_outside_are_neutralised():
    body = formatting.webhook_body(text="Hi @**Camille Martin|3**")
    assert "@**" not in body
    assert render(body).count("@**Camille Martin|3**") == 1  # shown as typed, not a mention
