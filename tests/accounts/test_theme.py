"""The light/dark preference: chosen in the person's settings, saved on the account, and
carried by every page as ``<html data-theme>`` (the tokens follow it)."""

import re

import pytest
from django.urls import reverse

from portal.accounts.models import Theme
from tests.accounts.test_views import profile_data

pytestmark = pytest.mark.django_db


def html_theme(response) -> str:
    match = re.search(r'<html lang="[a-z-]+" data-theme="([a-z]+)">', response.text)
    assert match, response.text[:300]
    return match.group(1)


def test_a_new_account_follows_the_device(member):
    assert member.theme == Theme.AUTO


def test_the_settings_offer_the_three_choices_as_radios(member_client):
    page = member_client.get(reverse("accounts:profile_edit"))
    for value in ("auto", "light", "dark"):
        assert re.search(rf'<input type="radio" name="theme" value="{value}"', page.text)
    assert re.search(r'value="auto"[^>]*checked', page.text)


def test_the_choice_is_saved_and_every_page_carries_it(member_client, member):
    response = member_client.post(reverse("accounts:profile_edit"), profile_data(theme="dark"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.theme == "dark"
    assert html_theme(member_client.get(reverse("accounts:directory"))) == "dark"
    member_client.post(reverse("accounts:profile_edit"), profile_data(theme="light"))
    assert html_theme(member_client.get(reverse("accounts:profile_edit"))) == "light"


def test_a_bad_value_is_refused_with_a_message(member_client, member):
    member.theme = Theme.DARK
    member.save(update_fields=["theme"])
    response = member_client.post(reverse("accounts:profile_edit"), profile_data(theme="purple"))
    assert response.status_code == 400
    assert "Select a valid choice. purple is not one of the available choices." in response.text
    member.refresh_from_db()
    assert member.theme == Theme.DARK


def test_a_form_posted_without_the_field_keeps_the_choice(member_client, member):
    member.theme = Theme.LIGHT
    member.save(update_fields=["theme"])
    response = member_client.post(reverse("accounts:profile_edit"), profile_data(job_title="X"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.theme, member.job_title) == (Theme.LIGHT, "X")


def test_anonymous_pages_follow_the_device(client):
    assert html_theme(client.get(reverse("account_login"))) == "auto"


def test_the_french_page_says_it_in_french(member_client, member):
    member.language = "fr"
    member.save(update_fields=["language"])
    page = member_client.get(reverse("accounts:profile_edit"))
    assert "Apparence" in page.text and "Comme mon appareil" in page.text


def test_the_theme_costs_no_query(member_client, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("accounts:directory")
    member_client.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as auto:
        member_client.get(url)
    member.theme = Theme.DARK
    member.save(update_fields=["theme"])
    member_client.get(url)
    with CaptureQueriesContext(connection) as dark:
        assert html_theme(member_client.get(url)) == "dark"
    assert len(dark) == len(auto)
