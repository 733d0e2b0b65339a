"""``manage.py create_administrator --email you@example.org``: the first administrator of a
fresh deployment, ready to sign in (allauth's mandatory e-mail verification would stop an
account made with ``createsuperuser``). Run again, it puts the account right: staff,
superuser, active, the address verified and primary; with a password, it replaces theirs."""

from __future__ import annotations

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from portal.accounts.services import administrator_ensure

# As createsuperuser reads it.
PASSWORD_VARIABLE = "DJANGO_SUPERUSER_PASSWORD"  # noqa: S105 - a variable name, no secret


class Command(BaseCommand):
    help = (
        "Create an administrator ready to sign in (verified primary e-mail address), or "
        "put an existing account right (e.g. one made with createsuperuser)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True, help="the administrator's address")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"never prompt: the password comes from ${PASSWORD_VARIABLE} (optional "
            "for an existing account, whose password then stays)",
        )

    def handle(self, *args, email: str, interactive: bool, **options) -> None:
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an e-mail address.") from None
        password = os.environ.get(PASSWORD_VARIABLE) or None
        if password is None and interactive:
            password = self._ask_password()
        if password:
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        try:
            user, created = administrator_ensure(email=email, password=password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        verb = "created" if created else "updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"Administrator {user.email} {verb}: address verified, sign in at "
                "/accounts/login/ (the Wagtail admin is at /admin/)."
            )
        )

    def _ask_password(self) -> str | None:
        first = getpass.getpass("Password (empty: keep an existing account's password): ")
        if not first:
            return None
        if getpass.getpass("Password (again): ") != first:
            raise CommandError("The two passwords differ.")
        return first
