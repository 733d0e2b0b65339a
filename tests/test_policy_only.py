"""Nobody decides access by hand: no role comparison and no ``is_superuser`` /
``is_external`` / ``is_staff`` test outside the policy (``communities/permissions.py`` and
the rule modules registered into it) and the core. Views, selectors, services, forms,
admin hooks, the REST API and templates ask the policy (``permissions.can(user, perm,
obj)``, ``is_guest``, ``is_administrator``…) or show flags it computed.

A line that compares a role or reads one of these fields for something other than access
(writing the field, exporting it, a state invariant) is listed in ``ALLOWED`` with why."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Where the code lives (bench/ and scripts/ are tools, not the product).
SCANNED = ["communities", "documents", "events", "guests", "integrations", "portal", "templates"]
SUFFIXES = {".py", ".html", ".txt"}

# The policy itself: the floor's module and the upper apps' rule modules registered into
# it, and the core, which knows nothing of communities.
POLICY = {
    "communities/permissions.py",
    "documents/permissions.py",
    "guests/permissions.py",
}
CORE = "portal/core/"

PATTERNS = {
    # role == "lead", membership.role != Membership.Role.GUEST, Role.LEAD == role…
    "role comparison": re.compile(
        r"""\brole\s*(?:==|!=)\s*(?:["']|[\w.]*\bRole\.)|\bRole\.\w+\s*(?:==|!=)"""
    ),
    "role in a set": re.compile(r"\brole\s+(?:not\s+)?in\s*[(\[{]"),
    # A read of the account flags (not a write: ``user.is_external = …``).
    "account flag test": re.compile(
        r"\.is_(?:superuser|external|staff)\b(?!\s*=(?!=))"
        r"""|getattr\([^)]*["']is_(?:superuser|external|staff)["']"""
    ),
}

# (file, exact text of the line, stripped): why it is not an access decision.
ALLOWED = {
    ("communities/services.py", "membership.role == Role.LEAD"): (
        "a state invariant: a community keeps at least one lead"
    ),
    ("guests/services.py", "and current.role == Membership.Role.LEAD"): (
        "a state invariant: accepting an invitation never makes a lead a member again"
    ),
    (
        "guests/services.py",
        "for_guest = role == Invitation.Role.GUEST  # the kind of account it creates",
    ): "data: the kind of account an invitation creates, validated against the address",
    ("guests/models.py", "return self.role == self.Role.GUEST"): (
        "data: Invitation.for_guest, the kind of account an invitation creates"
    ),
    ("guests/bulk.py", 'elif email and role == "guest" and is_internal_address(email):'): (
        "data: checking one CSV row's kind of invitation against its address"
    ),
    ("guests/bulk.py", 'elif email and role == "member" and not is_internal_address(email):'): (
        "data: checking one CSV row's kind of invitation against its address"
    ),
    ("portal/accounts/privacy.py", '"is_external": user.is_external,'): (
        "data: the personal-data export lists the field"
    ),
    ("portal/accounts/services.py", "if user.is_external or user.is_erased:"): (
        "data: the management command refuses to make a guest's account an administrator"
    ),
    (
        "portal/accounts/services.py",
        "if acting_user.pk != user.pk and not acting_user.is_superuser:",
    ): "the account layer sits below the policy (it cannot import it): its own last guard",
}


def _files():
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if (
                path.suffix not in SUFFIXES
                or "/migrations/" in relative
                or relative in POLICY
                or relative.startswith(CORE)
            ):
                continue
            yield relative, path


def _findings() -> list[tuple[str, int, str, str]]:
    found = []
    for relative, path in _files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name, pattern in PATTERNS.items():
                if pattern.search(line):
                    found.append((relative, number, name, line.strip()))
    return found


def test_no_access_decision_outside_the_policy():
    hand_rolled = [
        f"{path}:{number}: {name}: {text}"
        for path, number, name, text in _findings()
        if (path, text) not in ALLOWED
    ]
    assert not hand_rolled, (
        "Ask the policy (communities/permissions.py, or a rule registered into it) instead:\n"
        + "\n".join(hand_rolled)
    )


def test_every_allowed_exception_still_exists():
    """A stale entry would let a new hand-made test hide behind it: keep the list exact."""
    seen = {(path, text) for path, _number, _name, text in _findings()}
    assert set(ALLOWED) <= seen, sorted(set(ALLOWED) - seen)


def test_the_patterns_catch_what_they_are_for():
    """The guard itself: each kind of hand-made decision is caught, writes are not."""
    caught = [
        'if membership.role == "lead":',
        "if membership.role != Membership.Role.GUEST:",
        "if role in (Role.LEAD, Role.MEMBER):",
        "if request.user.is_superuser:",
        '{% if user.is_external %}<a href="…">{% endif %}',
        '{% if membership.role == "member" %}',
        'if getattr(user, "is_superuser", False):',
        "return not user.is_staff",
    ]
    ignored = [
        "user.is_external = invitation.for_guest",
        "user.is_staff = user.is_superuser = user.is_active = True",
        "if membership.role == role:",
        "Membership.objects.filter(role=Membership.Role.LEAD, community=community)",
        "people.filter(is_external=False)",
    ]
    for line in caught:
        assert any(p.search(line) for p in PATTERNS.values()), line
    for line in ignored:
        assert not any(p.search(line) for p in PATTERNS.values()), line
