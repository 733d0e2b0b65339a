"""The adoption report against a hand-built scenario with known answers."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities import services as cs
from portal import adoption
from portal.accounts import services as accounts
from portal.accounts.models import Connection
from tests.communities.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(lead, project, partner):
    """Internal: lead, ann (posts), bob (comments), cat (only reads), dan (never comes).
    Guest: the partner (reads and likes)."""
    ann, bob, cat, dan = (UserFactory(display_name=n) for n in ("Ann", "Bob", "Cat", "Dan"))
    for person in (ann, bob):
        add_member(project, lead, person)
    accounts.user_profile_update(
        user=ann,
        acting_user=ann,
        organisation="Parvis",
        job_title="Guide",
        location="Annecy",
        phone="+33 4 00 00 00 00",
        bio="Trails",
    )
    for person in (ann, bob, cat, partner):
        accounts.user_mark_seen(user=person)
    post = cs.post_create(acting_user=ann, community=project, body="Trail map is ready")
    cs.comment_create(acting_user=bob, post=post, body="Great")
    cs.post_like_toggle(acting_user=partner, post=post)
    return {"ann": ann, "bob": bob, "cat": cat, "dan": dan}


def today():
    return timezone.localdate()


def test_the_organisation_in_numbers(scenario, staff):
    kpis = adoption.adoption(start=today(), end=today())
    internal, guests, everyone = kpis["internal"], kpis["guests"], kpis["all"]
    # lead, ann, bob, cat, dan and the staff account; the partner is the guest
    assert (internal.registered, guests.registered) == (6, 1)
    assert (internal.connected, guests.connected) == (3, 1)
    assert (internal.active, internal.passive) == (2, 1)  # ann and bob; cat only read
    assert (guests.active, guests.passive) == (1, 0)  # a like is a contribution
    assert internal.enriched == 1  # ann filled in her profile
    assert internal.connection_rate == 50.0 and internal.participation_rate == 33.3
    assert internal.frequency == 1.0
    assert (everyone.posts, everyone.comments, everyone.likes) == (1, 1, 1)
    assert everyone.communities_created == 1


def test_one_community(scenario, project, lead):
    kpis = adoption.adoption(start=today(), end=today(), community=project)
    # its members: the lead, ann, bob, and the partner
    assert (kpis["internal"].registered, kpis["guests"].registered) == (3, 1)
    assert kpis["internal"].active == 2 and kpis["internal"].passive == 0
    assert kpis["all"].posts == 1


def test_one_communitys_curve_counts_its_members_and_what_they_did_there(
    client, scenario, project, lead, staff
):
    """The month-by-month figures follow the community chosen, like the indicators above
    them: not the whole organisation's."""
    elsewhere = cs.community_create(acting_user=scenario["cat"], name="Elsewhere", kind="theme")
    cs.post_create(acting_user=scenario["cat"], community=elsewhere, body="Not in the project")
    [month] = adoption.adoption_curve(months=1, community=project)
    kpis = adoption.adoption(start=today(), end=today(), community=project)["all"]
    assert (month.registered, month.connected, month.active) == (4, 3, 3)
    assert (month.registered, month.connected, month.active) == (
        kpis.registered,
        kpis.connected,
        kpis.active,
    )
    whole = adoption.adoption_curve(months=1)[-1]
    assert (whole.registered, whole.active) == (7, 4)  # cat posted elsewhere
    client.force_login(staff)
    export = client.get(
        reverse("adoption_report"),
        {"start": today(), "end": today(), "community": project.pk, "format": "csv"},
    ).content.decode()
    assert f"{today().strftime('%Y-%m')},4,3,3" in export


def test_an_earlier_period_counts_nothing_of_today(scenario):
    yesterday = today() - datetime.timedelta(days=1)
    kpis = adoption.adoption(start=yesterday, end=yesterday)
    assert kpis["all"].connected == 0 and kpis["all"].posts == 0


def test_the_curve_month_by_month(scenario):
    last_month = today().replace(day=1) - datetime.timedelta(days=1)
    # Connection rows are what the daily "last seen" writes; here, for a past month.
    Connection.objects.bulk_create(
        [
            Connection(user=scenario["ann"], day=last_month),
            Connection(user=scenario["dan"], day=last_month),
        ]
    )
    months = adoption.adoption_curve(months=3, today=today())
    assert len(months) == 3
    assert (months[-2].connected, months[-2].active) == (2, 0)
    assert (months[-1].connected, months[-1].active) == (4, 3)
    assert months[-1].registered == 6 and months[-2].registered == 0  # all joined today


def test_the_report_page_and_its_csv(client, scenario, staff):
    client.force_login(staff)
    url = reverse("adoption_report")
    page = client.get(url, {"start": today().isoformat(), "end": today().isoformat()})
    assert page.status_code == 200
    assert "Participation rate" in page.content.decode() and "<svg" in page.content.decode()
    export = client.get(
        url, {"start": today().isoformat(), "end": today().isoformat(), "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == ["kpi", "internal", "guests", "all"]
    assert ["active", "2", "1", "3"] in rows


def _identities(kpis):
    for split in adoption.SPLITS:
        k = kpis[split]
        assert k.active + k.passive == k.connected, split
        assert k.active <= k.connected <= k.registered, split
        assert k.enriched <= k.registered, split
    for field in ("registered", "connected", "active", "passive", "enriched", "contributions"):
        together = getattr(kpis["internal"], field) + getattr(kpis["guests"], field)
        assert getattr(kpis["all"], field) == together, field


def test_someone_who_contributes_without_a_visit_is_connected_and_active(scenario, project, lead):
    """A reply by e-mail or an API call: a contribution, no visit recorded that day."""
    eve = UserFactory(display_name="Eve")
    add_member(project, lead, eve)
    cs.post_create(acting_user=eve, community=project, body="Sent from my phone")
    for community in (None, project):
        kpis = adoption.adoption(start=today(), end=today(), community=community)
        _identities(kpis)
    kpis = adoption.adoption(start=today(), end=today())
    assert (kpis["internal"].connected, kpis["internal"].active) == (4, 3)
    assert kpis["internal"].passive == 1  # cat
    for month in adoption.adoption_curve(months=2):
        assert month.active <= month.connected <= month.registered
    assert adoption.adoption_curve(months=1)[-1].connected == 5  # ann bob cat partner eve


def test_the_csv_says_what_the_page_says(client, scenario, staff):
    client.force_login(staff)
    url = reverse("adoption_report")
    period = {"start": today().isoformat(), "end": today().isoformat()}
    page = client.get(url, period).content.decode()
    for definition in adoption.DEFINITIONS.values():
        assert str(definition) in page
    rows = {
        row[0]: row[1:]
        for row in csv.reader(io.StringIO(client.get(url, {**period, "format": "csv"}).text))
        if row
    }
    # Counted for everyone together: "—" on the page, an empty cell in the CSV, never 0.
    assert rows["posts"] == ["", "", "1"]
    assert rows["invitations_sent"][:2] == ["", ""]
    assert len(re.findall(r"<td data-label=\"[^\"]+\">—</td>", page)) == 2 * len(
        adoption.WHOLE_ONLY
    )
    active, passive, connected = (
        [float(v) for v in rows[k]] for k in ("active", "passive", "connected")
    )
    assert [a + p for a, p in zip(active, passive, strict=True)] == connected


def test_a_period_that_ends_before_it_starts_is_refused(client, staff):
    client.force_login(staff)
    page = client.get(reverse("adoption_report"), {"start": "2026-11-20", "end": "2026-11-01"})
    assert "The period ends before it starts." in page.content.decode()


def test_only_administrators_see_it(client, scenario):
    client.force_login(scenario["ann"])
    assert client.get(reverse("adoption_report")).status_code == 403


def test_the_report_costs_the_same_whatever_the_activity(client, scenario, staff, project):
    client.force_login(staff)
    url = reverse("adoption_report")

    def cost():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    small = cost()
    for n in range(9):
        post = cs.post_create(acting_user=scenario["ann"], community=project, body=f"Note {n}")
        cs.comment_create(acting_user=scenario["bob"], post=post, body="Seen")
    assert cost() == small


def test_the_demo_has_an_adoption_curve_and_seeds_it_once():
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    rows = Connection.objects.count()
    months = adoption.adoption_curve(months=6)
    assert all(m.connected > 0 for m in months)
    assert months[0].connected < months[1].connected > months[2].connected  # peak, then dip
    call_command("seed_demo", stdout=io.StringIO())
    assert Connection.objects.count() == rows


def test_an_archived_community_can_still_be_chosen_after_the_active_ones(
    client, scenario, staff, project, lead
):
    """QA #11: archiving a community must not hide its numbers from administrators."""
    cs.community_create(acting_user=lead, name="Alpine Huts", visibility="private", kind="project")
    cs.community_archive(acting_user=lead, community=project)
    client.force_login(staff)
    url = reverse("adoption_report")
    page = client.get(url).content.decode()
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', page)
    labels = [label for _value, label in options]
    assert "Lakeside Trails (archived)" in labels
    assert "Alpine Huts" in labels
    assert labels.index("Alpine Huts") < labels.index("Lakeside Trails (archived)")
    period = {"start": today().isoformat(), "end": today().isoformat()}
    chosen = client.get(url, {**period, "community": project.pk})
    assert chosen.context["community"] == project
    assert chosen.context["form"].is_valid()
    assert "Lakeside Trails: " in chosen.content.decode()
    accounts.user_profile_update(user=staff, acting_user=staff, language="fr")
    assert "Lakeside Trails (archivée)" in client.get(url).content.decode()


def test_the_curve_names_months_the_readers_way_and_counts_accounts_in_the_plural(
    client, scenario, staff
):
    """QA #12: no "01/26" on the axis; French labels of accounts are plural ("Actifs")."""
    client.force_login(staff)
    url = reverse("adoption_report")
    end = datetime.date(2026, 1, 31)
    period = {"start": "2026-01-01", "end": end.isoformat()}
    page = client.get(url, period)
    axis = [label["text"] for label in page.context["chart"]["labels"]]
    assert axis[-1] == "Jan 2026" and axis[0] == "Feb 2025"
    assert not re.search(r"\b\d\d/\d\d\b", page.content.decode())
    accounts.user_profile_update(user=staff, acting_user=staff, language="fr")
    page = client.get(url, period)
    text = page.content.decode()
    axis = [label["text"] for label in page.context["chart"]["labels"]]
    assert axis[-1] == "jan. 2026" and axis[-2] == "déc. 2025"
    assert [str(s["name"]) for s in page.context["chart"]["series"]] == [
        "Inscrits",
        "Connectés",
        "Actifs",
    ]
    assert '<th scope="col">Actifs</th>' in text and "</svg>Actifs</li>" in text
    assert ">Actif<" not in text and "</svg>Actif<" not in text
    assert "Actifs (ont publié, commenté ou aimé)" in text
    assert "Profils enrichis (≥ 75\u00a0%)" in text
