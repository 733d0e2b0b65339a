"""The signed-in person's dashboard on the home page (``HomePage.get_context``).

It draws on communities, events and documents, apps beside this one or above it, so the site
builds it (``portal/home.py``) and registers the builder here in its ``ready()``; pages never
imports them. With no builder registered, the home page shows the editors' content only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

DashboardBuilder = Callable[[HttpRequest], Any]

_builder: DashboardBuilder | None = None


def register_dashboard(builder: DashboardBuilder) -> DashboardBuilder:
    global _builder
    _builder = builder
    return builder


def dashboard_for(request: HttpRequest) -> Any:
    return _builder(request) if _builder is not None else None
