"""Access granted outside memberships, for "who can see what" reports.

Upper apps hold explicit per-object grants (a document shared with one outside reviewer,
kept by django-guardian) and access channels (a private calendar feed). They register a
provider here from their ``AppConfig.ready()`` so that the access report lists them all
without communities or guests importing those apps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from communities.models import Community


@dataclass(frozen=True)
class Grant:
    """One object a person may read through an explicit grant."""

    kind: str  # translated label, e.g. "Document"
    title: str
    url: str
    community: Community | None  # the community concerned; None for "all my communities"
    detail: str = ""
    # True when it opens something by itself (a shared document); False for a channel that
    # only carries what memberships already open (a calendar feed).
    opens_access: bool = True


GrantProvider = Callable[[Any], Iterable[Grant]]
_providers: list[GrantProvider] = []


def register_grant_provider(provider: GrantProvider) -> None:
    """Called once per provider from an app's ``ready()``; registering twice is harmless."""
    if provider not in _providers:
        _providers.append(provider)


def explicit_grants(user: Any) -> list[Grant]:
    """Every object ``user`` was explicitly given access to, by community then title."""
    grants = [grant for provider in _providers for grant in provider(user)]
    return sorted(grants, key=lambda g: (g.community.name if g.community else "", g.title))


def has_explicit_access(user: Any) -> bool:
    """Whether something is open to ``user`` outside their memberships (a shared document);
    access channels such as calendar feeds do not count: they open nothing by themselves."""
    return any(grant.opens_access for grant in explicit_grants(user))
