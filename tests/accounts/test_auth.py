"""Sign-in, sign-up, verification and reset through django-allauth, as configured."""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GENERIC_LOGIN_ERROR = "The email address and/or password you specified are not correct."


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sign_in_with_email_and_password(client, member):
    response = login(client, member.email, PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("accounts:directory")).status_code == 200


def test_wrong_password_and_unknown_account_get_the_same_message(client, member):
    wrong = login(client, member.email, "wrong password")
    unknown = login(client, "nobody@parvis.example", "wrong password")
    assert GENERIC_LOGIN_ERROR in wrong.text
    assert GENERIC_LOGIN_ERROR in unknown.text
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_throttled(client, member):
    for _ in range(5):
        login(client, member.email, "wrong password")
    throttled = login(client, member.email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in throttled.text


def test_unverified_address_cannot_sign_in_until_confirmed(client):
    user = UserFactory(email_verified=False)
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    assert link
    client.post(link.group(1))
    assert EmailAddress.objects.get(user=user).verified


def test_sign_up_is_open_to_internal_domains_only(client, django_capture_on_commit_callbacks):
    external = client.post(
        reverse("account_signup"),
        {
            "email": "someone@gmail.example",
            "password1": "a-Long-pass-123",
            "password2": "a-Long-pass-123",
        },
    )
    assert external.status_code == 200
    assert "Partners join by" in external.text
    assert not EmailAddress.objects.filter(email="someone@gmail.example").exists()

    internal = client.post(
        reverse("account_signup"),
        {
            "email": "new.person@parvis.example",
            "password1": "a-Long-pass-123",
            "password2": "a-Long-pass-123",
        },
    )
    assert internal.status_code == 302
    address = EmailAddress.objects.get(email="new.person@parvis.example")
    assert not address.verified
    assert [m.subject for m in mail.outbox] == ["[Parvis] Please Confirm Your Email Address"]
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link.group(1))
    address.refresh_from_db()
    assert address.verified
    assert mail.outbox[-1].subject == "Welcome to Parvis"
    assert mail.outbox[-1].to == ["new.person@parvis.example"]


def test_sign_up_is_closed_without_internal_domains(client, settings):
    settings.PORTAL_INTERNAL_DOMAINS = []
    response = client.get(reverse("account_signup"))
    assert "Sign Up Closed" in response.text
    # ...and no page leads there.
    login_page = client.get(reverse("account_login")).text
    assert reverse("account_signup") not in login_page
    assert "You join through the invitation" in login_page


def test_the_sign_in_page_links_to_sign_up_where_it_is_open(client, settings):
    settings.PORTAL_INTERNAL_DOMAINS = ["parvis.example"]
    login_page = client.get(reverse("account_login")).text
    assert f'href="{reverse("account_signup")}' in login_page


def test_password_reset_does_not_reveal_accounts(client, member):
    known = client.post(reverse("account_reset_password"), {"email": member.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "ghost@parvis.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_expired_or_tampered_reset_link_is_refused(client, member):
    client.post(reverse("account_reset_password"), {"email": member.email})
    body = mail.outbox[-1].body
    path = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", body).group(1)
    tampered = path.rstrip("/")[:-3] + "xyz/"
    response = client.get(tampered, follow=True)
    assert "Bad Token" in response.text or "invalid" in response.text.lower()
    response = client.post(
        tampered, {"password1": "N3w-passw0rd!", "password2": "N3w-passw0rd!"}, follow=True
    )
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_reset_email_is_in_the_recipients_language(client, member):
    member.language = "fr"
    member.save(update_fields=["language"])
    client.post(reverse("account_reset_password"), {"email": member.email})
    assert "mot de passe" in mail.outbox[-1].body.lower()


def test_wagtail_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_two_factor_setup_page_is_available(member_client):
    response = member_client.get(reverse("mfa_activate_totp"))
    assert response.status_code in (200, 302)
    index = member_client.get(reverse("mfa_index"))
    assert index.status_code == 200
    assert "Authenticator" in index.text


def _current_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_totp_two_factor_is_asked_at_the_next_sign_in(client, member):
    from allauth.mfa.models import Authenticator

    login(client, member.email, PASSWORD)
    # Turning two-factor on asks for the password again.
    ask = client.get(reverse("mfa_activate_totp"))
    assert ask["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=member).exists()
    client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    assert Authenticator.objects.filter(user=member, type="totp").exists()

    client.post(reverse("account_logout"))
    response = login(client, member.email, PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert client.session["_auth_user_id"] == str(member.pk)


def test_an_administrator_made_by_createsuperuser_is_put_right_to_sign_in(client, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long admin passphrase")
    call_command("createsuperuser", email="boss@parvis.example", interactive=False)
    refused = login(client, "boss@parvis.example", "a long admin passphrase")
    assert refused["Location"] == reverse("account_email_verification_sent")  # stuck
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD")
    out = io.StringIO()
    call_command("create_administrator", email="Boss@parvis.example", interactive=False, stdout=out)
    assert "boss@parvis.example updated" in out.getvalue()
    signed_in = login(client, "boss@parvis.example", "a long admin passphrase")  # password kept
    assert signed_in.status_code == 302 and "_auth_user_id" in client.session
    assert client.get("/admin/").status_code == 200
    address = EmailAddress.objects.get(email="boss@parvis.example")
    assert address.verified and address.primary


def test_create_administrator_makes_a_new_one_ready_to_sign_in(client, monkeypatch):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="needs a password"):
        call_command("create_administrator", email="new@parvis.example", interactive=False)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_administrator", email="new@parvis.example", interactive=False)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "another long passphrase")
    call_command("create_administrator", email="new@parvis.example", interactive=False)
    assert login(client, "new@parvis.example", "another long passphrase").status_code == 302
    assert client.get("/admin/").status_code == 200
    guest = UserFactory(is_external=True)
    with pytest.raises(CommandError, match="guest"):
        call_command("create_administrator", email=guest.email, interactive=False)
    guest.refresh_from_db()
    assert not guest.is_superuser


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Your access has ended"), ("fr", "Votre accès a pris fin")]
)
def test_a_partner_whose_access_ended_is_told_why_and_how_to_come_back(
    client, guest, language, title
):
    guest.is_active = False  # what ending a guest's last access does
    guest.language = language
    guest.save(update_fields=["is_active", "language"])
    client.cookies["django_language"] = language
    response = client.post(
        reverse("account_login"), {"login": guest.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("account_inactive")
    assert title in response.text
    assert "invitation" in response.text
    assert "_auth_user_id" not in client.session
