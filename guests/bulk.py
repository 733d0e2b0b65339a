"""Bulk invitations from a CSV file: parse and check (no side effects), then send."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from communities import permissions
from communities.models import Membership
from guests import selectors
from guests.app_settings import app_settings
from guests.models import BulkInvitation, Invitation
from portal.accounts.adapter import is_internal_address

REQUIRED_COLUMNS = {"email", "communities"}
COLUMNS = ["email", "name", "organisation", "role", "communities"]
# Cells beyond the header's last column. In a semicolon-separated file, "A;B" in the last
# column (communities) arrives as two cells: they belong to it.
EXTRA_CELLS = "\x00extra"
# The role column, in English as the page explains it, and in French as a French lead writes it.
ROLES = {
    "guest": Invitation.Role.GUEST,
    "invité": Invitation.Role.GUEST,
    "invitée": Invitation.Role.GUEST,
    "member": Invitation.Role.MEMBER,
    "membre": Invitation.Role.MEMBER,
}


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (Excel's French CSV)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _("This file is neither UTF-8 nor Windows-1252 text. Save it as CSV UTF-8.")
    )


def parse_rows(data: bytes) -> list[dict[str, str]]:
    text = _decode(data)
    if not text.strip():
        raise ValidationError(_("The file is empty."))
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect, restkey=EXTRA_CELLS)
    columns = [(h or "").strip().lower() for h in reader.fieldnames or []]
    header = set(columns)
    missing = REQUIRED_COLUMNS - header
    if missing:
        raise ValidationError(
            _("The file needs the columns %(columns)s (found: %(found)s).")
            % {"columns": ", ".join(COLUMNS), "found": ", ".join(sorted(header)) or "—"}
        )
    rows = []
    for record in reader:
        extra = [cell.strip() for cell in record.pop(EXTRA_CELLS, None) or [] if cell.strip()]
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in record.items() if k}
        if extra and columns[-1] == "communities":
            row["communities"] = ";".join([row.get("communities", ""), *extra])
        elif extra:
            row[EXTRA_CELLS] = "yes"
        rows.append(row)
        if len(rows) > app_settings.BULK_MAX_ROWS:
            raise ValidationError(
                _("This file has more than %(max)s rows: split it into several waves.")
                % {"max": app_settings.BULK_MAX_ROWS}
            )
    if not rows:
        raise ValidationError(_("The file has a header but no row."))
    return rows


def bulk_prepare(*, acting_user: Any, data: bytes, file_name: str = "") -> BulkInvitation:
    """Check every row; nothing is sent yet."""
    rows = parse_rows(data)
    led = list(selectors.communities_led_by(acting_user))
    by_key = {}
    for community in led:
        by_key[community.slug.lower()] = community
        by_key[community.name.lower()] = community
    seen: dict[str, int] = {}
    checked = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        # Each error is kept as [message id, parameters] and translated when shown, so the
        # page reads in the language of whoever looks at it.
        errors: list[list[Any]] = []
        email = row.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                [gettext_noop("“%(email)s” is not an e-mail address."), {"email": email or "—"}]
            )
        if email in seen:
            errors.append([gettext_noop("Same address as line %(line)s."), {"line": seen[email]}])
        seen.setdefault(email, number)
        if EXTRA_CELLS in row:
            errors.append(
                [
                    gettext_noop(
                        "This line has more cells than the header: put a value containing "
                        "the separator between double quotes."
                    ),
                    {},
                ]
            )
        role_given = (row.get("role") or "guest").lower()
        role = ROLES.get(role_given, role_given)
        if role not in Invitation.Role.values:
            errors.append([gettext_noop("Role must be guest or member."), {}])
        elif email and role == "guest" and is_internal_address(email):
            errors.append([gettext_noop("Internal address: invite colleagues as members."), {}])
        elif email and role == "member" and not is_internal_address(email):
            errors.append([gettext_noop("External address: partners are invited as guests."), {}])
        communities = []
        unknown = False
        for key in [k.strip() for k in row.get("communities", "").replace("|", ";").split(";")]:
            if not key:
                continue
            community = by_key.get(key.lower())
            if community is None:
                unknown = True
                errors.append(
                    [gettext_noop("“%(name)s” is not a community you lead."), {"name": key}]
                )
            elif community not in communities:
                communities.append(community)
        if not communities and not unknown:
            errors.append([gettext_noop("No community given."), {}])
        if email and communities and not errors:
            active = Membership.objects.filter(
                permissions.active_membership_q(),
                user__email__iexact=email,
                community__in=communities,
            ).count()
            if active == len(communities):
                errors.append([gettext_noop("Already a member."), {}])
        checked.append(
            {
                "line": number,
                "email": email,
                "name": row.get("name", "")[:120],
                "organisation": row.get("organisation", "")[:150],
                "role": role,
                "communities": [c.pk for c in communities],
                "community_names": ", ".join(c.name for c in communities),
                "errors": errors,
                "result": "",
            }
        )
    return BulkInvitation.objects.create(
        created_by=acting_user, file_name=file_name[:200], rows=checked
    )


def _translated(messages: list[Any]) -> list[str]:
    return [
        message if isinstance(message, str) else _(message[0]) % message[1]  # str: rows of before
        for message in messages
    ]


def row_errors(row: dict[str, Any]) -> list[str]:
    """A checked line's errors in the active language."""
    return _translated(row["errors"])


def row_result(row: dict[str, Any]) -> str:
    """What happened to a sent line, and why, in the active language: "sent" or "refused",
    followed by the communities it could not invite into and the reason for each."""
    result = row.get("result") or ""
    label = {"sent": _("sent"), "refused": _("refused")}.get(result, result)
    notes = _translated(row.get("notes") or [])
    if not notes:
        return label
    return _("%(result)s: %(reasons)s") % {"result": label, "reasons": " ".join(notes)}


def rows_for_display(bulk: BulkInvitation) -> list[dict[str, Any]]:
    """The lines as the page shows them: errors, results and roles in the reader's language."""
    labels = dict(Invitation.Role.choices)
    return [
        {
            **row,
            "errors": row_errors(row),
            "result_text": row_result(row),
            "role_label": labels.get(row["role"], row["role"]),
        }
        for row in bulk.rows
    ]


@transaction.atomic
def bulk_confirm(*, acting_user: Any, bulk: BulkInvitation) -> BulkInvitation:
    """Start sending the valid rows (once: a second confirmation changes nothing)."""
    bulk = BulkInvitation.objects.select_for_update().get(pk=bulk.pk)
    if bulk.created_by_id != acting_user.pk:
        raise PermissionDenied("bulk")
    if bulk.status != BulkInvitation.Status.PREVIEW:
        return bulk
    if not bulk.valid_rows:
        raise ValidationError(_("No row can be sent: correct the file and upload it again."))
    bulk.status = BulkInvitation.Status.SENDING
    bulk.save(update_fields=["status"])
    from guests.tasks import send_bulk_invitations

    transaction.on_commit(lambda: send_bulk_invitations.delay(bulk.pk))
    return bulk


def bulk_send(bulk_id: int) -> int:
    """Send the rows not sent yet, each in its own transaction, recording each result.
    Safe to run again after a crash: finished rows are skipped."""
    bulk = BulkInvitation.objects.select_related("created_by").get(pk=bulk_id)
    # A refusal is kept as a sentence, in the language of the lead who sent the wave (and
    # invitations to addresses without an account go out in it, as from the form).
    with translation.override(bulk.created_by.language or settings.LANGUAGE_CODE):
        return _bulk_send_rows(bulk)


def _still_open(acting_user: Any, row: dict[str, Any]) -> tuple[list[Any], list[list[Any]]]:
    """The line's communities the sender may still invite into, and a note for each of the
    others (archived, no longer led, deleted since the file was checked)."""
    from communities.models import Community

    by_pk = {c.pk: c for c in Community.objects.filter(pk__in=row["communities"])}
    names = [n.strip() for n in row.get("community_names", "").split(", ")]
    open_, notes = [], []
    for index, pk in enumerate(row["communities"]):
        community = by_pk.get(pk)
        if community is None:
            name = names[index] if index < len(names) else "—"
            notes.append([gettext_noop("“%(name)s” no longer exists."), {"name": name}])
        elif permissions.can(acting_user, permissions.MANAGE_MEMBERS, community):
            open_.append(community)
        elif community.is_archived:
            notes.append(
                [
                    gettext_noop("“%(name)s” was archived after the file was checked."),
                    {"name": community.name},
                ]
            )
        else:
            notes.append(
                [
                    gettext_noop("You no longer lead “%(name)s”."),
                    {"name": community.name},
                ]
            )
    return open_, notes


def _bulk_send_rows(bulk: BulkInvitation) -> int:
    from guests.services import invitation_create

    sent = 0
    for row in bulk.rows:
        if row["errors"] or row["result"]:
            continue
        # A line invites into every community that is still open to the sender, and says
        # which ones it could not and why (a community archived since the check, say).
        communities, row["notes"] = _still_open(bulk.created_by, row)
        if not communities:
            row["result"] = "refused"
        else:
            try:
                with transaction.atomic():
                    invitation_create(
                        acting_user=bulk.created_by,
                        email=row["email"],
                        name=row["name"],
                        organisation=row["organisation"],
                        role=row["role"],
                        communities=communities,
                    )
                row["result"] = "sent"
                sent += 1
            except ValidationError as exc:
                # Already in the sender's language (the send runs in it).
                row["result"] = "refused"
                row["notes"] = [*exc.messages, *row["notes"]]
            except PermissionDenied:
                row["result"] = "refused"
                row["notes"].append(
                    [gettext_noop("You may no longer invite into these communities."), {}]
                )
        bulk.done_count += 1
        bulk.save(update_fields=["rows", "done_count"])
    bulk.status = BulkInvitation.Status.DONE
    bulk.save(update_fields=["status"])
    return sent
