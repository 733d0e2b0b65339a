"""Bulk invitations from a CSV file: parse and check (no side effects), then send."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import Membership
from guests import app_settings, selectors
from guests.models import BulkInvitation, Invitation
from portal.accounts.adapter import is_internal_address

REQUIRED_COLUMNS = {"email", "communities"}
COLUMNS = ["email", "name", "organisation", "role", "communities"]


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
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = {(h or "").strip().lower() for h in reader.fieldnames or []}
    missing = REQUIRED_COLUMNS - header
    if missing:
        raise ValidationError(
            _("The file needs the columns %(columns)s (found: %(found)s).")
            % {"columns": ", ".join(COLUMNS), "found": ", ".join(sorted(header)) or "—"}
        )
    rows = []
    for record in reader:
        rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in record.items() if k})
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
        errors = []
        email = row.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("“%(email)s” is not an e-mail address.") % {"email": email or "—"})
        if email in seen:
            errors.append(_("Same address as line %(line)s.") % {"line": seen[email]})
        seen.setdefault(email, number)
        role = (row.get("role") or "guest").lower()
        if role not in Invitation.Role.values:
            errors.append(_("Role must be guest or member."))
        elif email and role == "guest" and is_internal_address(email):
            errors.append(_("Internal address: invite colleagues as members."))
        elif email and role == "member" and not is_internal_address(email):
            errors.append(_("External address: partners are invited as guests."))
        communities = []
        unknown = False
        for key in [k.strip() for k in row.get("communities", "").replace("|", ";").split(";")]:
            if not key:
                continue
            community = by_key.get(key.lower())
            if community is None:
                unknown = True
                errors.append(_("“%(name)s” is not a community you lead.") % {"name": key})
            else:
                communities.append(community)
        if not communities and not unknown:
            errors.append(_("No community given."))
        if email and communities and not errors:
            active = Membership.objects.filter(
                permissions.active_membership_q(),
                user__email__iexact=email,
                community__in=communities,
            ).count()
            if active == len(communities):
                errors.append(_("Already a member."))
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
    from communities.models import Community
    from guests.services import invitation_create

    bulk = BulkInvitation.objects.select_related("created_by").get(pk=bulk_id)
    sent = 0
    for row in bulk.rows:
        if row["errors"] or row["result"]:
            continue
        try:
            with transaction.atomic():
                invitation_create(
                    acting_user=bulk.created_by,
                    email=row["email"],
                    name=row["name"],
                    organisation=row["organisation"],
                    role=row["role"],
                    communities=Community.objects.filter(pk__in=row["communities"]),
                )
            row["result"] = "sent"
            sent += 1
        except (ValidationError, PermissionDenied) as exc:
            row["result"] = " ".join(getattr(exc, "messages", [])) or _("refused")
        bulk.done_count += 1
        bulk.save(update_fields=["rows", "done_count"])
    bulk.status = BulkInvitation.Status.DONE
    bulk.save(update_fields=["status"])
    return sent
