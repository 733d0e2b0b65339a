"""Journey 6: the sales lead creates a webhook, the CRM calls it (a plain HTTP POST, as curl
would), the post appears in the community feed "via" the webhook; then the lead creates an
API token and a script reads the API with it."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _request(url: str, *, data: dict | None = None, token: str = "") -> tuple[int, dict]:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")  # noqa: S310
    if body:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the test server)
        return response.status, json.loads(response.read())


def test_a_webhook_posts_into_sales_and_a_token_reads_the_api(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "louis.garnier@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/sales/")
    page.locator(".actions").get_by_role("link", name="Integrations").click()
    page.get_by_label("Webhook name (shown on its posts)").fill("Pipedrive")
    page.get_by_role("button", name="Create a webhook").click()
    hook_url = page.locator("#new-webhook-url").input_value()
    assert hook_url.startswith(f"{base}/hooks/")
    shot(page, "integrations-1-webhook")

    status, answer = _request(
        hook_url,
        data={
            "title": "Deal signed: Chalet des Neiges",
            "text": "Winter packages for 2 seasons. <https://crm.example/deals/77|Open in the CRM>",
        },
    )
    assert status == 201 and answer["ok"] is True

    page.goto(f"{base}/communities/sales/")
    post = page.locator(".post").filter(has_text="Deal signed: Chalet des Neiges")
    expect(post).to_contain_text("via Pipedrive")
    expect(post.get_by_role("link", name="Open in the CRM")).to_have_attribute(
        "href", "https://crm.example/deals/77"
    )
    shot(page, "integrations-2-post-via-webhook")

    page.goto(f"{base}/profile/")
    page.get_by_role("link", name="API tokens for scripts and other tools").click()
    page.get_by_label("Token name").fill("Weekly report")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create a token").click()
    token = page.locator("#new-token").input_value()
    assert token.startswith("pvs_")
    shot(page, "integrations-3-token")

    status, communities = _request(f"{base}/api/v1/communities/", token=token)
    assert status == 200
    assert "sales" in [c["slug"] for c in communities]
    status, posts = _request(f"{base}/api/v1/communities/sales/posts/", token=token)
    assert posts["results"][0]["via"] == "Pipedrive"
    page.goto(f"{base}/profile/api-tokens/")
    row = page.locator("tbody tr").filter(has_text=token[:8])
    expect(row).to_contain_text("Weekly report")
    expect(row).not_to_contain_text("never")  # its last use is shown

    # the API documentation renders from our own static files (no CDN)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.get_by_role("link", name="API documentation").click()
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Parvis API")
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/communities/{slug}/posts/")
    assert outside == []
    shot(page, "integrations-4-api-docs")
