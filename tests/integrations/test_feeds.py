"""RSS/Atom feeds read from a real HTTP server on loopback: new entries become posts once,
conditional GET, bounded fetching, pausing after repeated failures."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from communities import selectors as community_selectors
from communities.models import Activity, Post
from integrations import fetch, selectors, services, tasks
from integrations.models import Feed, FeedEntry, IntegrationPost
from tests.integrations.feed_server import ETAG, FeedServer, ProxyServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(settings):
    settings.INTEGRATIONS_ALLOW_PRIVATE_FEEDS = True  # the server listens on 127.0.0.1
    settings.INTEGRATIONS_FEED_TIMEOUT_SECONDS = 1
    with FeedServer() as running:
        yield running


def connect(lead, community, url, name="Expert blog"):
    return services.feed_create(acting_user=lead, community=community, name=name, url=url)


def check(feed):
    """Read the feed now (as the periodic task would), ignoring the one-minute guard."""
    Feed.objects.filter(pk=feed.pk).update(last_checked_at=None)
    result = tasks.check_feed(feed.pk)
    feed.refresh_from_db()
    return result


def test_rss_entries_become_posts_once_oldest_first(server, lead, sales, sales_member):
    feed = connect(lead, sales, server.url("/rss.xml"))
    assert check(feed) == 2
    posts = list(Post.objects.order_by("id"))
    assert ["Counting visitors" in p.body for p in posts] == [True, False]
    newest = posts[1]
    assert 'href="https://blog.example.org/2026/rail-and-trail"' in newest.body_html
    assert "Take the train to the lake &amp; walk." in newest.body_html
    assert {ip.source_name for ip in IntegrationPost.objects.all()} == {"Expert blog"}
    assert Activity.objects.filter(verb=Activity.Verb.POST_CREATED).count() == 2
    assert feed.post_count == 2 and feed.etag == ETAG and feed.last_success_at
    feed_page = community_selectors.community_feed(user=sales_member, community=sales)
    assert {p.via for p in feed_page.page.items} == {"Expert blog"}
    # read again: the server answers 304 to the conditional GET, nothing new
    assert check(feed) == 0
    assert server.requests[-1][1].get("If-None-Match") == ETAG
    assert Post.objects.count() == 2
    # even without the ETag, the entries are recognised by id
    Feed.objects.filter(pk=feed.pk).update(etag="", last_modified="")
    assert check(feed) == 0
    assert Post.objects.count() == 2
    assert FeedEntry.objects.filter(feed=feed).count() == 2


def test_atom_feed(server, lead, sales):
    feed = connect(lead, sales, server.url("/atom.xml"), name="Press mentions")
    assert check(feed) == 1
    post = Post.objects.get()
    assert "Le Dauphiné: the lake trail reopens" in post.body_html
    assert 'href="https://news.example.com/lake-trail-reopens"' in post.body_html
    assert "signage was praised" in post.body_html


def test_script_and_markup_in_a_feed_stay_inert(server, lead, sales, sales_member):
    feed = connect(lead, sales, server.url("/script.xml"))
    assert check(feed) == 1
    post = Post.objects.get()
    html = post.body_html.lower()
    for bad in ("<script", "onerror", "onclick", "<iframe", "<img", "javascript:", "stolen"):
        assert bad not in html, bad
    assert "hello" in html
    assert not post.mentions.exists()  # a feed never mentions anyone


def test_a_broken_feed_fails_and_pauses_after_repeated_failures(server, lead, sales, settings):
    settings.INTEGRATIONS_FEED_MAX_FAILURES = 3
    feed = connect(lead, sales, server.url("/broken.xml"))
    for expected_failures in (1, 2):
        assert check(feed) is None
        assert feed.failure_count == expected_failures
        assert feed.last_error == Feed.Error.NOT_A_FEED
        assert not feed.is_paused
    assert check(feed) is None
    assert feed.is_paused and feed.failure_count == 3
    assert not Post.objects.exists()
    # a paused feed is not due and is not read
    assert feed.pk not in selectors.feeds_due()
    requests = len(server.requests)
    assert check(feed) is None
    assert len(server.requests) == requests


def test_the_reason_of_the_pause_is_shown_and_a_lead_resumes(
    client, server, lead, sales, settings, django_capture_on_commit_callbacks
):
    settings.INTEGRATIONS_FEED_MAX_FAILURES = 1
    feed = connect(lead, sales, server.url("/error"))
    check(feed)
    assert feed.is_paused and feed.last_error == Feed.Error.HTTP
    client.force_login(lead)
    page = client.get(reverse("integrations:community", args=[sales.slug])).content.decode()
    assert "Paused" in page
    assert "the server answered with an error" in page and "HTTP 500" in page
    Feed.objects.filter(pk=feed.pk).update(url=server.url("/rss.xml"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integrations:feed_action", args=[feed.pk, "resume"]))
    assert response.status_code == 302
    feed.refresh_from_db()
    assert not feed.is_paused and feed.failure_count == 0
    assert Post.objects.count() == 2  # read right after resuming


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/loop", Feed.Error.REDIRECTS),
        ("/huge.xml", Feed.Error.TOO_LARGE),
        ("/huge-declared.xml", Feed.Error.TOO_LARGE),
        ("/slow", Feed.Error.TIMEOUT),
        ("/error", Feed.Error.HTTP),
        ("/missing.xml", Feed.Error.HTTP),
    ],
)
def test_hostile_answers_are_bounded(server, lead, sales, settings, path, error):
    settings.INTEGRATIONS_FEED_MAX_BYTES = 5 * 1024 * 1024
    feed = connect(lead, sales, server.url(path))
    assert check(feed) is None
    assert feed.last_error == error
    assert not Post.objects.exists()


def test_redirects_are_followed_and_checked(server, lead, sales, settings):
    feed = connect(lead, sales, server.url("/redirect"))
    assert check(feed) == 2
    # a redirect to the cloud metadata address is refused even when loopback is allowed
    # for the test server: link-local is checked on every hop
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch(server.url("/to-metadata"), allow_private=True, timeout=1)
    assert refused.value.code == "address"


def test_private_and_loopback_addresses_are_refused_by_default(server, lead, sales, settings):
    settings.INTEGRATIONS_ALLOW_PRIVATE_FEEDS = False
    feed = connect(lead, sales, server.url("/rss.xml"))
    assert check(feed) is None
    assert feed.last_error == Feed.Error.ADDRESS
    assert server.requests == []  # never even connected
    for url in (
        "http://localhost/feed",
        "http://10.0.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed",
        "http://0.0.0.0/feed",
    ):
        with pytest.raises(fetch.FetchError) as refused:
            fetch.fetch(url, allow_private=False, timeout=1)
        assert refused.value.code == "address", url


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        # not private, yet not globally reachable either (issue 15): carrier-grade NAT,
        # where cloud metadata services also answer, benchmarking, documentation…
        ("100.64.0.1", False),
        ("100.100.100.200", False),
        ("198.18.0.1", False),
        ("192.0.2.1", False),
        ("240.0.0.1", False),
        ("2001:db8::1", False),
        # IPv6 addresses that carry an IPv4 one are judged by it too
        ("::ffff:100.100.100.200", False),
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("64:ff9b::5db8:d822", True),  # NAT64 of 93.184.216.34
        ("2002:6464:64c8::1", False),  # 6to4 of 100.100.100.200
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
        ("::a9fe:a9fe", False),
        ("fe80::1%eth0", False),
    ],
)
def test_public_addresses(address, public):
    assert fetch.is_public(address) is public


@pytest.mark.parametrize("path", ["/to-metadata", "/to-cgnat", "/to-nat64"])
def test_a_redirect_to_a_metadata_address_is_refused_before_connecting(server, lead, sales, path):
    # Loopback is allowed for the test server; the hop after the redirect is checked anew.
    feed = connect(lead, sales, server.url(path))
    assert check(feed) is None
    assert feed.last_error == Feed.Error.ADDRESS


def test_a_feed_read_through_the_outbound_proxy(server, lead, sales, sales_member, settings):
    with ProxyServer() as proxy:
        settings.INTEGRATIONS_FEED_PROXY = proxy.url("reader:s%C3%A9same@")
        feed = connect(lead, sales, server.url("/rss.xml"))
        assert check(feed) == 2
        method, target, authorization = proxy.seen[0]
        assert (method, target) == ("GET", server.url("/rss.xml"))
        assert authorization == "Basic cmVhZGVyOnPDqXNhbWU="  # reader:sésame
        assert server.requests[0][1]["Host"] == server.url("")[len("http://") :]


def test_https_through_the_proxy_tunnels_to_the_checked_address(server):
    with ProxyServer() as proxy:
        port = server.url("").rsplit(":", 1)[1]
        # "localhost" resolves here; the proxy is asked for the address checked, not the
        # name (the TLS handshake then fails: the test server speaks plain http)
        with pytest.raises(fetch.FetchError) as failed:
            fetch.fetch(f"https://localhost:{port}/rss.xml", allow_private=True, proxy=proxy.url())
        assert failed.value.code == "connection"
        assert proxy.seen[0][:2] in (("CONNECT", f"127.0.0.1:{port}"), ("CONNECT", f"[::1]:{port}"))


def test_the_proxy_changes_nothing_about_what_is_refused(server):
    with ProxyServer() as proxy:
        for url in ("http://100.100.100.200/", "https://10.0.0.1/", server.url("/rss.xml")):
            with pytest.raises(fetch.FetchError) as refused:
                fetch.fetch(url, proxy=proxy.url(), timeout=1)
            assert refused.value.code == "address", url
        assert proxy.seen == []


def test_a_mistyped_proxy_stops_the_start(settings):
    from django.core import checks

    settings.INTEGRATIONS_FEED_PROXY = "socks5://proxy:1080"
    assert [e.id for e in checks.run_checks() if e.id.startswith("integrations.")] == [
        "integrations.E001"
    ]


def test_only_http_urls_and_leads(lead, sales, sales_member):
    for url in ("ftp://example.org/feed", "file:///etc/passwd", "javascript:alert(1)", "feed"):
        with pytest.raises(ValidationError):
            connect(lead, sales, url)
    with pytest.raises(PermissionDenied):
        connect(sales_member, sales, "https://blog.example.org/feed")


def test_beat_hands_due_feeds_to_workers(server, lead, sales):
    feed = connect(lead, sales, server.url("/atom.xml"))
    paused = connect(lead, sales, server.url("/rss.xml"), name="Paused")
    services.feed_set_paused(acting_user=lead, feed=paused, paused=True)
    assert selectors.feeds_due() == [feed.pk]
    assert tasks.check_due_feeds() == 1
    assert Post.objects.count() == 1
    assert selectors.feeds_due() == []  # read within the interval


def test_a_first_read_of_a_long_feed_posts_only_the_newest(server, lead, sales, monkeypatch):
    from integrations.app_settings import app_settings

    monkeypatch.setattr(type(app_settings), "FEED_MAX_NEW_POSTS", 1)
    feed = connect(lead, sales, server.url("/rss.xml"))
    assert check(feed) == 1
    assert "Rail and trail" in Post.objects.get().body
    assert FeedEntry.objects.filter(feed=feed).count() == 2  # the older one is marked seen
    Feed.objects.filter(pk=feed.pk).update(etag="")
    assert check(feed) == 0


def test_lead_pages_for_feeds(client, lead, sales, member, django_capture_on_commit_callbacks):
    client.force_login(lead)
    create = reverse("integrations:feed_create", args=[sales.slug])
    bad = client.post(create, {"name": "Blog", "url": "ftp://x"})
    assert bad.status_code == 400
    response = client.post(create, {"name": "Blog", "url": "https://blog.example.org/feed"})
    assert response.status_code == 302
    feed = Feed.objects.get()
    for action in ("pause", "resume", "delete"):
        feed_url = reverse("integrations:feed_action", args=[feed.pk, action])
        if action == "resume":
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                assert client.post(feed_url).status_code == 302
            assert len(callbacks) == 1  # a read is enqueued after the commit
        else:
            assert client.post(feed_url).status_code == 302
    assert not Feed.objects.exists()
    client.force_login(member)
    assert client.get(reverse("integrations:community", args=[sales.slug])).status_code == 404
