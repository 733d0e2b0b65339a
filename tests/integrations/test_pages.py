"""The integration pages on the design system's components: empty lists say what to do,
a secret shown once comes with a Copy button, tables stack with their labels."""

import pytest
from django.urls import reverse

from integrations import services
from tests.html_checks import stacked_cell_labels

pytestmark = pytest.mark.django_db


def test_no_token_yet_says_what_a_token_is_for(member_client):
    page = member_client.get(reverse("integrations:api_tokens")).text
    assert "No token yet" in page
    assert stacked_cell_labels(page) == []


def test_a_new_token_is_shown_once_with_a_copy_button_and_listed(member_client):
    response = member_client.post(
        reverse("integrations:api_tokens"), {"name": "Weekly report", "scope": "read"}
    )
    page = response.text
    assert 'data-copy="new-token"' in page and 'id="new-token"' in page
    assert "No token yet" not in page
    labels = stacked_cell_labels(page)
    assert labels and all(labels)


def test_a_refused_token_keeps_the_name_and_says_why(member_client):
    response = member_client.post(
        reverse("integrations:api_tokens"), {"name": "Report", "scope": "admin"}
    )
    assert response.status_code == 400
    assert 'value="Report"' in response.text  # what was typed stays
    assert 'role="alert"' in response.text or "errorlist" in response.text


def test_a_community_without_integrations_says_how_to_add_one(client, lead, project):
    client.force_login(lead)
    page = client.get(reverse("integrations:community", args=[project.slug])).text
    assert "No webhook yet" in page and "No feed yet" in page
    services.webhook_create(acting_user=lead, community=project, name="CRM")
    page = client.get(reverse("integrations:community", args=[project.slug])).text
    assert "No webhook yet" not in page and "No feed yet" in page
    labels = stacked_cell_labels(page)
    assert labels and all(labels)
