"""Each app's settings, read one way: ``<app>/app_settings.py`` declares its names with their
defaults, and ``app_settings.NAME`` reads ``<PREFIX>NAME`` from Django settings on each use
(so ``override_settings`` and pytest-django's ``settings`` fixture reach it), else the
default. The model is allauth's ``allauth/account/app_settings.py``::

    class GuestsSettings(AppSettings):
        prefix = "GUESTS_"
        INVITATION_DAYS = Setting(14)  # days an invitation link stays valid

    app_settings = GuestsSettings()
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


class Setting:
    """One setting of an app: ``name`` (default: the prefix and the attribute's name) in
    Django settings, else ``default``."""

    def __init__(self, default: Any, *, name: str = "") -> None:
        self.default = default
        self.name = name

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, instance: AppSettings | None, owner: type) -> Any:
        if instance is None:
            return self
        return getattr(settings, self.name or instance.prefix + self.attribute, self.default)


class AppSettings:
    prefix = ""
