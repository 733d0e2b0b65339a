from django.conf import settings
from django.core.management.base import BaseCommand

from portal import demo

DEMO_DOMAIN = "parvis.example"


class Command(BaseCommand):
    help = "Create the demo organisation (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        logins = demo.seed()
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Sign in at {base}/accounts/login/ as:")
        )
        for login in logins:
            self.stdout.write(f"  {login.role:<26} {login.email:<40} password: {login.password}")
        if DEMO_DOMAIN not in settings.PORTAL_INTERNAL_DOMAINS:
            # Without it, the demo's people cannot invite colleagues as members or sign up.
            self.stdout.write(
                self.style.WARNING(
                    f"PORTAL_INTERNAL_DOMAINS does not name {DEMO_DOMAIN}: the demo's staff "
                    "cannot invite colleagues or sign up (`make run` sets it)."
                )
            )
