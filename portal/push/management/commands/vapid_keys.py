"""``manage.py vapid_keys``: the VAPID key pair of the embedded default, in var/vapid.json.

Kept when it exists (new keys would orphan every browser's subscription); ``--force`` writes
a new pair. With VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY in the environment, the settings
ignore the file; ``--print`` shows a new pair to put there instead.
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.push.vapid import generate_keys


class Command(BaseCommand):
    help = "Write the VAPID key pair for Web Push to var/vapid.json (kept if it exists)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="replace an existing pair")
        parser.add_argument(
            "--print",
            action="store_true",
            dest="print_only",
            help="print a new pair as environment variables; write nothing",
        )

    def handle(self, *args: Any, force: bool = False, print_only: bool = False, **options: Any):
        if print_only:
            public, private = generate_keys()
            self.stdout.write(f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}")
            return
        path = settings.VAPID_KEYS_FILE
        if path.exists() and not force:
            self.stdout.write(f"Kept the VAPID keys in {path}.")
            return
        public, private = generate_keys()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Readable by this account only: it holds a private key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            json.dump({"public_key": public, "private_key": private}, file, indent=2)
        self.stdout.write(self.style.SUCCESS(f"Wrote new VAPID keys to {path}."))
