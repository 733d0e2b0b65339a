from django.core.management.base import BaseCommand

from portal import demo


class Command(BaseCommand):
    help = "Create the demo organisation (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        logins = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ as:"))
        for login in logins:
            self.stdout.write(f"  {login.role:<26} {login.email:<40} password: {login.password}")
