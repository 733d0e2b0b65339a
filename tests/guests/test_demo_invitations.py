"""The demo's invitations read like real ones in the invitation lists: each names the person
and their organisation (QA #15: Julie's had neither)."""

import io

import pytest
from django.core.management import call_command

from guests.models import Invitation
from portal import demo

pytestmark = pytest.mark.django_db


def test_every_seeded_invitation_has_a_name_and_an_organisation(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    julie = Invitation.objects.get(email=demo.JULIE)
    assert (julie.name, julie.organisation) == ("Julie Roux", "Région Auvergne-Rhône-Alpes")
    assert not Invitation.objects.filter(name="").exists()
    assert not Invitation.objects.filter(organisation="").exists()
