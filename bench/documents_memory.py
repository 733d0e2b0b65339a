"""Upload and download a large document through a real gunicorn worker and report how much
the worker's peak memory grew (the goal: at most 50 MB for 1 GB).

    .venv/bin/python bench/documents_memory.py            # 1 GiB
    .venv/bin/python bench/documents_memory.py --mib 256  # quicker

It builds a throw-away portal (SQLite and media in a temporary folder), starts gunicorn with
one sync worker on loopback, signs a lead in, streams a multipart upload from a generator (the
client never holds the file either), streams the download back and checks its SHA-256, then
reads the worker's VmHWM (peak resident set) from /proc before and after.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 1024 * 1024
BOUNDARY = "parvis-bench-boundary"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def _prepare(env: dict[str, str]) -> tuple[str, str, str]:
    """Migrate, create a lead and a community; return (session key, csrf secret, slug)."""
    code = """
import django; django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import _get_new_csrf_string
from communities import services as cs
from portal.accounts import services as accounts
lead = accounts.user_create(email="lead@bench.example", password="x" * 20, display_name="Lead")
community = cs.community_create(
    acting_user=lead, name="Bench", visibility="private", kind="project"
)
session = SessionStore()
session[SESSION_KEY] = str(lead.pk)
session[BACKEND_SESSION_KEY] = "portal.accounts.backends.PortalModelBackend"
session[HASH_SESSION_KEY] = lead.get_session_auth_hash()
session.create()
print(session.session_key, _get_new_csrf_string(), community.slug)
"""
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [py, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return out[-3], out[-2], out[-1]


def _body(size: int):
    """A PDF of ``size`` bytes as a multipart body, produced chunk by chunk."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    block = os.urandom(CHUNK)
    digest = hashlib.sha256()

    def chunks():
        sent = 0
        first = b"%PDF-1.4\n" + block[: CHUNK - 9]
        yield head
        while sent < size:
            piece = (first if sent == 0 else block)[: size - sent]
            digest.update(piece)
            sent += len(piece)
            yield piece
        yield tail

    return len(head) + size + len(tail), chunks(), digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="file size in MiB (1024)")
    args = parser.parse_args()
    size = args.mib * CHUNK
    with tempfile.TemporaryDirectory(prefix="parvis-bench-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.base",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
            "PARVIS_VAR_DIR": tmp,
            "DOCUMENTS_MAX_UPLOAD_BYTES": str(size + CHUNK),
            "ALLOWED_HOSTS": "127.0.0.1",
            "TMPDIR": tmp,
        }
        env.pop("REDIS_URL", None)
        session, csrf, slug = _prepare(env)
        port = _free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "900",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            cookie = f"sessionid={session}; csrftoken={csrf}"
            for _ in range(100):
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
                    conn.request(
                        "GET", f"/communities/{slug}/documents/", headers={"Cookie": cookie}
                    )
                    warm = conn.getresponse()
                    warm.read()
                    assert warm.status == 200, warm.status
                    break
                except ConnectionRefusedError:
                    time.sleep(0.2)
            worker = _worker_pid(server.pid)
            before = _peak_kib(worker)

            length, chunks, digest = _body(size)
            started = time.monotonic()
            conn.request(
                "POST",
                f"/communities/{slug}/documents/upload/",
                body=chunks,
                headers={
                    "Cookie": cookie,
                    "X-CSRFToken": csrf,
                    "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                    "Content-Length": str(length),
                },
            )
            answer = conn.getresponse()
            answer.read()
            upload_s = time.monotonic() - started
            assert answer.status == 302, answer.status
            after_upload = _peak_kib(worker)

            pk = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import django; django.setup(); from documents.models import DocumentVersion;"
                    " print(DocumentVersion.objects.get().pk)",
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            started = time.monotonic()
            conn.request("GET", f"/documents/versions/{pk}/download/", headers={"Cookie": cookie})
            answer = conn.getresponse()
            assert answer.status == 200, answer.status
            back = hashlib.sha256()
            received = 0
            while piece := answer.read(CHUNK):
                back.update(piece)
                received += len(piece)
            download_s = time.monotonic() - started
            after_download = _peak_kib(worker)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    assert received == size and back.hexdigest() == digest.hexdigest(), "corrupted round trip"
    growth = (max(after_upload, after_download) - before) / 1024
    print(f"file: {args.mib} MiB, round trip intact (sha256 {digest.hexdigest()[:12]}…)")
    print(f"upload: {upload_s:.1f} s ({args.mib / upload_s:.0f} MiB/s)")
    print(f"download: {download_s:.1f} s ({args.mib / download_s:.0f} MiB/s)")
    print(
        f"worker peak RSS: {before / 1024:.0f} MiB before, {after_upload / 1024:.0f} after the"
        f" upload, {after_download / 1024:.0f} after the download: growth {growth:.1f} MiB"
        f" (goal ≤ 50)"
    )
    sys.exit(0 if growth <= 50 else 1)


if __name__ == "__main__":
    main()
