"""Markdown → sanitised HTML (communities/markup.py): CommonMark, hashtags and mentions."""

from __future__ import annotations

import pytest

from communities import markup

CAMILLE = {("Camille Martin", 3): ("Camille Martin", "/people/3/")}


def test_a_hashtag_at_the_start_of_a_line_is_a_tag_not_a_heading():
    html = markup.render("#newcomer Hello everyone")
    assert html == (
        '<p><a class="hashtag" href="/tags/newcomer/" rel="noopener noreferrer nofollow">'
        "#newcomer</a> Hello everyone</p>"
    )
    assert markup.extract_hashtags("#newcomer Hello everyone") == ["newcomer"]


def test_a_heading_needs_a_space_and_stays_below_the_page_headings():
    html = markup.render("# Agenda\n## Morning\nCoffee #break")
    assert "<h3>Agenda</h3>" in html and "<h4>Morning</h4>" in html
    assert 'href="/tags/break/"' in html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("> a quote", "<blockquote>\n<p>a quote</p>\n</blockquote>"),
        ("`a<b`", "<p><code>a&lt;b</code></p>"),
        ("if `a && b`", "<p>if <code>a &amp;&amp; b</code></p>"),
        ("Bring:\n- boots\n- water", "<p>Bring:</p>\n<ul>\n<li>boots</li>\n<li>water</li>\n</ul>"),
        ("~~Monday~~ Tuesday", "<p><s>Monday</s> Tuesday</p>"),
        ("one\ntwo", "<p>one<br>\ntwo</p>"),
        ("```\nx < y\n```", "<pre><code>x &lt; y\n</code></pre>"),
    ],
)
def test_commonmark(source, expected):
    assert markup.render(source) == expected


def test_bare_urls_become_links_file_names_do_not():
    html = markup.render("See https://example.org/a#top, www.example.com and README.md")
    assert '<a href="https://example.org/a#top" rel="noopener noreferrer nofollow">' in html
    assert '<a href="http://www.example.com"' in html
    assert "README.md" in html and "http://README.md" not in html
    assert 'class="hashtag"' not in html  # "#top" belongs to the URL


def test_raw_html_and_unsafe_links_stay_text():
    html = markup.render(
        '<script>alert(1)</script> <img src=x onerror="alert(1)"> [x](javascript:alert(1)) '
        "![i](https://x.example/i.png)"
    )
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html
    assert 'href="javascript' not in html
    assert '!<a href="https://x.example/i.png"' in html  # an image reads as a link


def test_mentions_link_only_when_resolved_and_never_in_code():
    html = markup.render(
        "Hi @**Camille Martin|3**, @**Hugo Bernard** and `@**Camille Martin|3**`",
        mentions=CAMILLE,
    )
    assert html.count('class="mention"') == 1
    assert '<a class="mention" href="/people/3/"' in html and ">@Camille Martin</a>" in html
    assert "@Hugo Bernard" in html  # unresolved: the name as text
    assert "<code>@**Camille Martin|3**</code>" in html
    assert markup.extract_mentions("@**A** `@**B**` @**C|4**") == [("A", None), ("C", 4)]


def test_what_is_escaped_or_in_code_or_in_a_link_is_no_tag():
    source = r"\#not `#code` [#label](https://a.example/) foo#bar &#35;x _#em_ #1 #élan"
    html = markup.render(source)
    assert html.count('class="hashtag"') == 2
    assert markup.extract_hashtags(source) == ["em", "élan"]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p>\n<p>Two &amp; <strong>three</strong></p>", "One Two & three"),
        ("<ul><li>a</li><li>b</li></ul>", "a b"),
        ("<p>x<br>y</p>", "x y"),
    ],
)
def test_plain_text_of_rendered_html(html, text):
    assert markup.plain_text(html) == text


def test_excerpt_reads_the_rendered_text():
    assert markup.excerpt("> **Hello** [the map](https://x.example)\n- one\n- two") == (
        "Hello the map one two"
    )
