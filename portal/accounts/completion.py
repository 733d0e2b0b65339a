"""The profile completion meter.

Which fields count is stated here, and the profile page lists them, so people know what the
meter asks for. Language and time zone always have a value and do not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# (attribute, label). "skills" counts when at least one skill is set.
COMPLETION_FIELDS: tuple[tuple[str, str | Promise], ...] = (
    ("display_name", _("Display name")),
    ("photo", _("Photo")),
    ("organisation", _("Organisation")),
    ("job_title", _("Job title")),
    ("location", _("Location")),
    ("phone", _("Phone")),
    ("bio", _("Short bio")),
    ("skills", _("Skills")),
)


@dataclass(frozen=True)
class Completion:
    percent: int
    done: list[str | Promise]
    missing: list[str | Promise]


def profile_completion(user, *, skill_names: list[str] | None = None) -> Completion:
    """How complete ``user``'s profile is. Pass ``skill_names`` when already loaded."""
    if skill_names is None:
        skill_names = list(user.skills.names()) if user.pk else []
    done: list[str | Promise] = []
    missing: list[str | Promise] = []
    for attribute, label in COMPLETION_FIELDS:
        value = skill_names if attribute == "skills" else getattr(user, attribute)
        (done if value else missing).append(label)
    percent = round(100 * len(done) / len(COMPLETION_FIELDS))
    return Completion(percent=percent, done=done, missing=missing)
