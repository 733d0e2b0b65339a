"""Objects the permission matrix needs for the integrations' routes, built on first use from
the matrix's world (so its fixture needs no change): a webhook and a feed of P set up by its
lead, an API token of guest_a, an event of P."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from events import services as event_services
from integrations import services


def _build(world: dict) -> dict:
    lead = world["users"]["lead"]
    community = world["P"]
    webhook, token = services.webhook_create(acting_user=lead, community=community, name="CRM")
    feed = services.feed_create(
        acting_user=lead, community=community, name="Blog", url="https://blog.example.org/feed"
    )
    api_token, _value = services.api_token_create(
        acting_user=world["users"]["guest_a"], name="script", scope="write"
    )
    event = event_services.event_create(
        acting_user=lead,
        community=community,
        title="Launch",
        schedule=event_services.schedule_from_local(
            tz="Europe/Paris", start_date=datetime.date(2199, 6, 1), all_day=True
        ),
    )
    return {
        "webhook": webhook,
        "webhook_token": token,
        "feed": feed,
        "api_token": api_token,
        "event": event,
    }


def integration(key: str, *extra: str) -> Callable[[dict], list]:
    """URL arguments: the object's pk (or the token itself), then ``extra``."""

    def args(world: dict) -> list:
        if "integrations" not in world:
            world["integrations"] = _build(world)
        value = world["integrations"][key]
        return [getattr(value, "pk", value), *extra]

    return args
