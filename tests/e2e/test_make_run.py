"""`make run` on another port, started as a newcomer starts it (a real process: migrate,
seed_demo, runserver, e-mail printed to the console): every link it prints or mails points
where it listens, and the demo's staff invite a colleague as a member (issue 15, items 11
and 12)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.slow  # migrates and seeds a new database: started early

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "parvis-demo"  # printed by `make run`
# The embedded default, as on a fresh machine: nothing of the test run's own settings.
NOT_INHERITED = {
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "PORTAL_BASE_URL",
    "PORTAL_INTERNAL_DOMAINS",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "EMAIL_BACKEND",
    "DEBUG",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return response.status == 200
    except OSError:
        return False


class MakeRun:
    def __init__(self, tmp_path: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "make-run.log"
        env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        env["PARVIS_VAR_DIR"] = str(tmp_path / "var")  # its own SQLite file and media
        self.process = subprocess.Popen(
            ["make", "run", f"PORT={self.port}"],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make, runserver and its reloader stop together
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make run stopped:\n{self.output()[-4000:]}")
            if "Quit the server with" in self.output() and _answers(f"{self.base}/accounts/login/"):
                return
            time.sleep(1)
        pytest.fail(f"make run did not serve in {timeout} s:\n{self.output()[-4000:]}")

    def links(self, path: str) -> list[str]:
        return re.findall(rf"https?://[^\s/]+{re.escape(path)}[^\s]*", self.output())

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def make_run(tmp_path):
    server = MakeRun(tmp_path)
    try:
        server.wait_until_serving()
        yield server
    finally:
        server.stop()


def test_make_run_on_another_port_prints_and_mails_links_that_work(make_run, browser, shot):
    base = make_run.base
    printed = make_run.output()
    assert f"Sign in at {base}/accounts/login/" in printed
    # The pending invitation of the demo (a second funder) and the charter's review request
    # were mailed to the console: their links point at this port, none at 8000.
    invitation_links = make_run.links("/invite/")
    assert invitation_links and all(link.startswith(f"{base}/invite/") for link in invitation_links)
    assert any(link.startswith(f"{base}/documents/") for link in make_run.links("/documents/"))
    assert "127.0.0.1:8000" not in printed and "PORTAL_INTERNAL_DOMAINS does not" not in printed
    assert "Wrote new VAPID keys to" in printed  # push notifications work out of the box

    # The link opens: a new person signs up with the invited address.
    funder = browser.new_page()
    funder.goto(invitation_links[-1])
    expect(funder.get_by_label("Email")).to_have_value("nadia.haddad@funder-dept.example")
    expect(funder.get_by_label("Email")).to_have_attribute("readonly", "")
    shot(funder, "run-1-invitation-on-another-port")
    funder.close()

    # The demo's domain is internal there: sign-up is offered, and a lead invites a
    # colleague as a member.
    page = browser.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="sign up").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign Up Closed")
    expect(page.get_by_label("Email")).to_be_visible()
    sign_in(page, base, "camille.martin@parvis.example", PASSWORD)
    page.goto(f"{base}/invitations/new/")
    page.get_by_label("E-mail address").fill("theo.girard@parvis.example")
    page.get_by_label("Name").fill("Théo Girard")
    page.get_by_label("Member (colleague)").check()
    page.get_by_label("Lakeside Trails").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Invitation sent to theo.girard@parvis.example"
    )
    sent = []
    for _attempt in range(20):  # the console e-mail is written once the request commits
        sent = [link for link in make_run.links("/invite/") if link not in invitation_links]
        if sent:
            break
        time.sleep(0.5)
    assert sent and sent[0].startswith(f"{base}/invite/")

    # The iCalendar download of the demo's first event (a fresh database) carries it too.
    ics = page.request.get(f"{base}/calendar/events/1/event.ics").text()
    assert f"URL:{base}/calendar/events/1/" in ics.replace("\r\n ", "")

    colleague = browser.new_page()
    colleague.goto(sent[0])
    expect(colleague.get_by_label("Email")).to_have_value("theo.girard@parvis.example")
    colleague.close()
    page.close()
