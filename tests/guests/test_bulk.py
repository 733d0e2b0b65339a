import pytest
from django.core import mail
from django.urls import reverse

from communities import services as cs
from guests.bulk import row_errors
from guests.models import BulkInvitation, Invitation
from tests.communities.conftest import add_guest
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


def upload(client, text: str | bytes, name="wave.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = text.encode() if isinstance(text, str) else text
    return client.post(reverse("guests:bulk_upload"), {"file": SimpleUploadedFile(name, data)})


CSV = (
    "email;name;organisation;role;communities\n"
    "anna@funder.example;Anna Weber;Region;guest;Lakeside Trails\n"
    "not-an-address;Bad;;guest;Lakeside Trails\n"
    "anna@funder.example;Anna again;;guest;Lakeside Trails\n"
    "paul@parvis.example;Paul Roy;;member;lakeside-trails\n"
    "zoe@supplier.example;Zoé;;guest;Secret board\n"
    "bob@parvis.example;Bob;;guest;Lakeside Trails\n"
)


def test_preview_checks_every_line_and_sends_nothing(client, lead, project):
    client.force_login(lead)
    response = upload(client, CSV)
    bulk = BulkInvitation.objects.get()
    assert response["Location"] == reverse("guests:bulk", args=[bulk.pk])
    errors = {row["line"]: " ".join(row_errors(row)) for row in bulk.rows}
    assert errors[2] == "" and errors[5] == ""
    assert "is not an e-mail address" in errors[3]
    assert "Same address as line 2" in errors[4]
    assert "not a community you lead" in errors[6]
    assert "Internal address" in errors[7]
    assert not Invitation.objects.exists() and mail.outbox == []
    page = client.get(response["Location"])
    assert "2 lines can be sent" in page.text and "4 lines have errors" in page.text


def test_confirm_sends_the_valid_lines_once_with_a_result_per_line(
    client, lead, project, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    upload(client, CSV)
    bulk = BulkInvitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("guests:bulk_confirm", args=[bulk.pk]))
    client.post(reverse("guests:bulk_confirm", args=[bulk.pk]))  # a second click: nothing
    bulk.refresh_from_db()
    assert bulk.status == "done"
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "anna@funder.example",
        "paul@parvis.example",
    ]
    assert [row["result"] for row in bulk.rows if not row["errors"]] == ["sent", "sent"]
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@funder.example", "paul@parvis.example"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("email,name\nx@y.example,X\n", "The file needs the columns"),
        ("", "The file is empty"),
        ("email;communities\n", "no row"),
        (b"\xff\xfe\x00\x00garbage", "UTF-8"),
    ],
)
def test_file_level_errors_are_clear_and_create_nothing(client, lead, project, content, message):
    client.force_login(lead)
    response = upload(client, content)
    assert response.status_code == 400
    assert message in response.text
    assert not BulkInvitation.objects.exists()


def test_excel_french_csv_in_windows_1252_is_read(client, lead, project):
    client.force_login(lead)
    text = (
        "email;name;organisation;role;communities\n"
        "zoe@funder.example;Zoé Lefèvre;Région;guest;Lakeside Trails\n"
    )
    upload(client, text.encode("cp1252"))
    row = BulkInvitation.objects.get().rows[0]
    assert row["name"] == "Zoé Lefèvre" and row["errors"] == []


def test_too_many_rows_are_refused(client, lead, project, settings):
    settings.GUESTS_BULK_MAX_ROWS = 3  # read on each use (guests/app_settings.py)
    client.force_login(lead)
    lines = "".join(f"p{n}@funder.example;;;guest;Lakeside Trails\n" for n in range(5))
    response = upload(client, "email;name;organisation;role;communities\n" + lines)
    assert "more than 3 rows" in response.text


def test_someone_elses_bulk_is_404(client, lead, project):
    client.force_login(lead)
    upload(client, CSV)
    bulk = BulkInvitation.objects.get()
    client.force_login(UserFactory())
    assert client.get(reverse("guests:bulk", args=[bulk.pk])).status_code == 404
    assert client.post(reverse("guests:bulk_confirm", args=[bulk.pk])).status_code == 404


def test_the_pages_own_example_invites_into_both_communities(
    client, lead, project, django_capture_on_commit_callbacks
):
    office = cs.community_create(acting_user=lead, name="Annecy office", kind="location")
    client.force_login(lead)
    example = client.get(reverse("guests:bulk_upload")).text
    lines = example.split("<pre>", 1)[1].split("</pre>", 1)[0]
    assert "Lakeside Trails;Annecy office" in lines
    upload(client, lines)
    rows = BulkInvitation.objects.get().rows
    assert [row_errors(row) for row in rows] == [[], []]
    assert rows[1]["communities"] == [project.pk, office.pk]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("guests:bulk_confirm", args=[BulkInvitation.objects.get().pk]))
    paul = Invitation.objects.get(email="paul@parvis.example")
    assert set(paul.communities.all()) == {project, office}


def test_cells_beyond_the_header_are_never_dropped_silently(client, lead, project):
    client.force_login(lead)
    upload(client, "email;communities;name\nanna@funder.example;Lakeside Trails;Sales;Anna\n")
    (row,) = BulkInvitation.objects.get().rows
    assert "more cells than the header" in " ".join(row_errors(row))


def test_a_french_lead_reads_every_line_in_french(
    client, lead, project, django_capture_on_commit_callbacks
):
    lead.language = "fr"
    lead.save(update_fields=["language"])
    client.force_login(lead)
    response = upload(
        client,
        "email;name;organisation;role;communities\n"
        "anna@funder.example;Anna;;invitée;Lakeside Trails\n"
        "paul@parvis.example;Paul;;membre;Lakeside Trails\n"
        "bob@parvis.example;Bob;;guest;Lakeside Trails\n"
        "zoe@funder.example;Zoé;;boss;Inconnue\n",
    )
    page = client.get(response["Location"]).text
    assert "Invité (partenaire externe)" in page and "Membre (collègue)" in page
    assert "Adresse interne\u00a0: invitez vos collègues en tant que membres." in page
    assert "n’est pas une communauté que vous animez" in page
    assert "Le rôle doit être" in page
    for english in ("Internal address", "not a community you lead", ">guest<", ">member<"):
        assert english not in page
    # The same lines read in English by the same lead after switching language.
    lead.language = "en"
    lead.save(update_fields=["language"])
    assert (
        "Internal address: invite colleagues as members." in client.get(response["Location"]).text
    )
    # What the background sending writes is in the lead's language too.
    lead.language = "fr"
    lead.save(update_fields=["language"])
    add_guest(project, GuestFactory(email="anna@funder.example"))  # joined meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("guests:bulk_confirm", args=[BulkInvitation.objects.get().pk]))
    page = client.get(response["Location"]).text
    assert "anna@funder.example est déjà membre." in page and "envoyée" in page


def test_a_community_archived_after_the_check_is_reported_and_the_rest_still_invited(
    client, lead, project, django_capture_on_commit_callbacks
):
    office = cs.community_create(acting_user=lead, name="Annecy office", visibility="private")
    client.force_login(lead)
    response = upload(
        client,
        "email;name;organisation;role;communities\n"
        "anna@funder.example;Anna;;guest;Lakeside Trails\n"
        "paul@funder.example;Paul;;guest;Lakeside Trails;Annecy office\n",
    )
    bulk = BulkInvitation.objects.get()
    assert [row["errors"] for row in bulk.rows] == [[], []]  # both "ready"
    cs.community_archive(acting_user=lead, community=project)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("guests:bulk_confirm", args=[bulk.pk]))
    [invitation] = Invitation.objects.all()
    assert invitation.email == "paul@funder.example"
    assert list(invitation.communities.all()) == [office]
    page = client.get(response["Location"]).text
    archived = "“Lakeside Trails” was archived after the file was checked."
    assert f"refused: {archived}" in page and f"sent: {archived}" in page
    lead.language = "fr"
    lead.save(update_fields=["language"])
    page = client.get(response["Location"]).text
    archived = "« Lakeside Trails » a été archivée après la vérification du fichier."
    assert f"refusée\u00a0: {archived}" in page and f"envoyée\u00a0: {archived}" in page
