"""Reads of documents, filtered by who asks (404 for what they may not see)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from communities import permissions
from communities.models import Community
from documents.models import Document, DocumentVersion


def library(*, user: Any, community: Community) -> QuerySet[Document]:
    """A community's documents, most recently changed first (the (community, -updated_at)
    index), with their current version and author in the same query."""
    if not permissions.can(user, permissions.VIEW, community):
        raise Http404
    return (
        Document.objects.filter(community=community)
        .select_related("current_version", "created_by")
        .order_by("-updated_at", "-id")
    )


def recent_documents(*, user: Any, limit: int = 50) -> list[Document]:
    """The latest documents of every community ``user`` may read."""
    return list(
        Document.objects.filter(
            permissions.readable_communities_q(user), community__archived_at__isnull=True
        )
        .select_related("current_version", "created_by", "community")
        .order_by("-updated_at", "-id")[:limit]
    )


def document_get_for_user(*, user: Any, pk: int) -> Document:
    """The document if ``user`` may read its community; Http404 when missing or not."""
    document = (
        Document.objects.select_related("community", "current_version", "created_by")
        .filter(pk=pk)
        .first()
    )
    if document is None or not permissions.can(user, permissions.VIEW, document.community):
        raise Http404
    return document


def version_get_for_user(*, user: Any, pk: int) -> DocumentVersion:
    version = DocumentVersion.objects.select_related("document__community").filter(pk=pk).first()
    if version is None or not permissions.can(user, permissions.VIEW, version.document.community):
        raise Http404
    return version
