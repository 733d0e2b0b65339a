"""What documents holds about a person, for "Your data" (``portal/accounts/privacy.py``):
the versions they uploaded (with the files), their reviews and review comments, and the
documents shared with them.

Erasure keeps the versions they uploaded (a community's library and its approval trail
must not lose a version; the uploader is shown as "Former member") and their review
decisions and remarks; it removes the explicit shares (django-guardian grants) so nothing
stays open to the account.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from documents.models import (
    DocumentUserObjectPermission,
    DocumentVersion,
    ReviewComment,
    Reviewer,
    ReviewRequest,
)
from documents.services import reviewer_withdraw
from portal.accounts.privacy import Contribution, Entry, FileEntry, JsonEntry, rows, safe_name


def _version_file(version: DocumentVersion) -> str:
    name = safe_name(version.original_name)
    return f"files/documents/{version.document_id}/v{version.number}-{name}"


def export(user: Any) -> Iterator[Entry]:
    versions = (
        DocumentVersion.objects.filter(uploaded_by=user)
        .select_related("document__community")
        .order_by("pk")
    )
    yield JsonEntry(
        "documents.json",
        rows(
            versions,
            lambda v: {
                "document": v.document_id,
                "title": v.document.title,
                "community": v.document.community.name,
                "version": v.number,
                "file_name": v.original_name,
                "content_type": v.content_type,
                "size": v.size,
                "sha256": v.sha256,
                "change_note": v.change_note,
                "uploaded_at": v.uploaded_at,
                "file": _version_file(v),
            },
        ),
    )
    yield JsonEntry("reviews.json", _reviews(user))
    yield JsonEntry(
        "shared_with_me.json",
        rows(
            DocumentUserObjectPermission.objects.filter(user=user)
            .select_related("content_object__community", "permission")
            .order_by("pk"),
            lambda g: {
                "document": g.content_object_id,
                "title": g.content_object.title,
                "community": g.content_object.community.name,
                "permission": g.permission.codename,
            },
        ),
    )
    for version in versions.iterator(chunk_size=500):
        yield FileEntry(_version_file(version), version.file.storage, version.file.name)


def _reviews(user: Any):
    """Review requests I made, my decisions as a reviewer, and my remarks."""

    def produce() -> Iterator[dict]:
        requested = ReviewRequest.objects.filter(requested_by=user).order_by("pk")
        for request in requested.values(
            "pk", "document_id", "message", "due_on", "status", "created_at", "closed_at"
        ).iterator(chunk_size=500):
            yield {"kind": "request", **request}
        decisions = Reviewer.objects.filter(user=user).select_related("request").order_by("pk")
        for reviewer in decisions.iterator(chunk_size=500):
            yield {
                "kind": "decision",
                "request": reviewer.request_id,
                "document": reviewer.request.document_id,
                "decision": reviewer.decision,
                "decided_at": reviewer.decided_at,
            }
        remarks = ReviewComment.objects.filter(author=user).order_by("pk")
        for comment in remarks.values(
            "pk", "request_id", "version_id", "parent_id", "body", "page", "created_at"
        ).iterator(chunk_size=500):
            yield {"kind": "comment", **comment}

    return produce


def erase(user: Any, *, email: str) -> None:
    DocumentUserObjectPermission.objects.filter(user=user).delete()
    # Reviews of documents shared with them (their memberships' reviews went as they ended).
    reviewer_withdraw(user=user)


contribution = Contribution(app="documents", export=export, erase=erase)
