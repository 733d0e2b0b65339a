"""The REST API (v1). Every endpoint goes through the site's selectors and services, so a
token sees and does exactly what its owner may at that moment; what they may not see is 404,
like what does not exist."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from communities import permissions
from communities import selectors as community_selectors
from communities import services as community_services
from documents import selectors as document_selectors
from documents import services as document_services
from documents import views as document_views
from documents.app_settings import app_settings as document_settings
from events import selectors as event_selectors
from events import services as event_services
from integrations.api import serializers as s
from integrations.api.authentication import BearerTokenAuthentication, SessionAuthentication
from integrations.api.permissions import TokenScope
from integrations.api.throttling import ApiThrottle
from integrations.app_settings import app_settings
from integrations.models import ApiToken
from portal.core.files import MaxSizeUploadHandler
from portal.core.pagination import decode_cursor, encode_cursor, keyset_page

CURSOR = OpenApiParameter(
    "cursor", str, description="The next_cursor of the previous page.", required=False
)
NOT_FOUND = OpenApiResponse(s.ErrorSerializer, description="Missing, or not visible to you.")
BAD = OpenApiResponse(s.ErrorSerializer, description="Refused: the reason is in detail.")


def _cursor(request: Request, *, datetime_key: bool = False) -> str | None:
    """The ``cursor`` parameter if it is one we could have made ([key, id] with the right
    types); anything else means the first page, never an error."""
    raw = request.GET.get("cursor")
    values = decode_cursor(raw, 2)
    if values is None or not isinstance(values[1], int):
        return None
    key = values[0]
    if datetime_key:
        try:
            datetime.datetime.fromisoformat(str(key))
        except ValueError:
            return None
    elif not isinstance(key, int):
        return None
    return raw


def _int(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number < 2**63:
        raise Http404
    return number


class ApiView(APIView):
    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [TokenScope]
    throttle_classes = [ApiThrottle]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def handle_exception(self, exc: Exception) -> Response:
        # A service refusing is 404 (what you may not do there, you may not see); a rule
        # broken is 400 with the reason.
        if isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.NotFound()
        elif isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError({"detail": " ".join(exc.messages)})
        return super().handle_exception(exc)

    def community(self, slug: str):
        return community_selectors.community_get_for_user(
            user=self.request.user, slug=slug, perm=permissions.VIEW
        )


class MeView(ApiView):
    @extend_schema(responses=s.MeSerializer, summary="Who the token acts as")
    def get(self, request: Request) -> Response:
        user = request.user
        scope = request.auth.scope if isinstance(request.auth, ApiToken) else None
        return Response(
            s.MeSerializer(
                {
                    "id": user.pk,
                    "name": user.name,
                    "email": user.email,
                    "is_external": permissions.is_guest_account(user),
                    "scope": scope,
                }
            ).data
        )


class CommunityListView(ApiView):
    @extend_schema(responses=s.CommunitySerializer(many=True), summary="My communities")
    def get(self, request: Request) -> Response:
        communities = community_selectors.community_list_visible_to(user=request.user).filter(
            is_mine=True
        )
        return Response(s.CommunitySerializer(communities, many=True).data)


class CommunityDetailView(ApiView):
    @extend_schema(responses={200: s.CommunitySerializer, 404: NOT_FOUND})
    def get(self, request: Request, slug: str) -> Response:
        return Response(s.CommunitySerializer(self.community(slug)).data)


class PostListView(ApiView):
    @extend_schema(
        parameters=[CURSOR],
        responses={200: s.PostPageSerializer, 404: NOT_FOUND},
        summary="A community's posts, newest first (pinned ones on the first page)",
    )
    def get(self, request: Request, slug: str) -> Response:
        feed = community_selectors.community_feed(
            user=request.user, community=self.community(slug), cursor=_cursor(request)
        )
        return Response(
            s.PostPageSerializer(
                {
                    "pinned": feed.pinned,
                    "results": feed.page.items,
                    "next_cursor": feed.page.next_cursor,
                }
            ).data
        )

    @extend_schema(
        request=s.PostCreateSerializer,
        responses={201: s.PostSerializer, 400: BAD, 404: NOT_FOUND},
        summary="Publish a post (write scope)",
    )
    def post(self, request: Request, slug: str) -> Response:
        community = self.community(slug)
        data = s.PostCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = community_services.post_create(
            acting_user=request.user, community=community, body=data.validated_data["body"]
        )
        post = community_selectors.post_get_for_user(user=request.user, pk=post.pk)
        return Response(s.PostSerializer(post).data, status=status.HTTP_201_CREATED)


class PostDetailView(ApiView):
    @extend_schema(responses={200: s.PostSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        post = community_selectors.post_get_for_user(user=request.user, pk=_int(pk))
        return Response(s.PostSerializer(post).data)


class CommentListView(ApiView):
    @extend_schema(
        parameters=[CURSOR],
        responses={200: s.CommentPageSerializer, 404: NOT_FOUND},
        summary="A post's comments and replies, oldest first",
    )
    def get(self, request: Request, pk: int) -> Response:
        post = community_selectors.post_get_for_user(user=request.user, pk=_int(pk))
        after = decode_cursor(request.GET.get("cursor"), 1)
        page, more = community_selectors.comments_in_order(
            user=request.user,
            post=post,
            after=after[0] if after is not None and isinstance(after[0], int) else None,
            limit=app_settings.API_PAGE_SIZE,
        )
        next_cursor = encode_cursor([page[-1].pk]) if more else None
        return Response(s.CommentPageSerializer({"results": page, "next_cursor": next_cursor}).data)

    @extend_schema(
        request=s.CommentCreateSerializer,
        responses={201: s.CommentSerializer, 400: BAD, 404: NOT_FOUND},
        summary="Comment, or reply to a comment (write scope)",
    )
    def post(self, request: Request, pk: int) -> Response:
        post = community_selectors.post_get_for_user(user=request.user, pk=_int(pk))
        data = s.CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data.get("parent"):
            parent = community_selectors.comment_get_for_user(
                user=request.user, pk=data.validated_data["parent"]
            )
        comment = community_services.comment_create(
            acting_user=request.user, post=post, body=data.validated_data["body"], parent=parent
        )
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class DocumentListView(ApiView):
    @extend_schema(
        parameters=[CURSOR],
        responses={200: s.DocumentPageSerializer, 404: NOT_FOUND},
        summary="A community's library, most recently changed first",
    )
    def get(self, request: Request, slug: str) -> Response:
        documents = document_selectors.library(user=request.user, community=self.community(slug))
        page = keyset_page(
            documents,
            key="updated_at",
            cursor=_cursor(request, datetime_key=True),
            limit=app_settings.API_PAGE_SIZE,
            descending=True,
        )
        return Response(
            s.DocumentPageSerializer({"results": page.items, "next_cursor": page.next_cursor}).data
        )


class DocumentDetailView(ApiView):
    @extend_schema(responses={200: s.DocumentDetailSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        document = document_selectors.document_get_for_user(user=request.user, pk=_int(pk))
        document.version_list = list(document.versions.order_by("-number"))
        return Response(s.DocumentDetailSerializer(document).data)


class VersionUploadView(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before anything reads the body (the session's CSRF check would): the size limit is
        # enforced while the upload streams, as on the site.
        request._request.upload_handlers.insert(
            0, MaxSizeUploadHandler(request._request, limit=document_settings.MAX_UPLOAD_BYTES)
        )
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": s.VersionUploadSerializer},
        responses={201: s.VersionSerializer, 400: BAD, 404: NOT_FOUND, 413: BAD},
        summary="Upload a new version of a document (write scope)",
    )
    def post(self, request: Request, pk: int) -> Response:
        document = document_selectors.document_get_for_user(user=request.user, pk=_int(pk))
        data = s.VersionUploadSerializer(data=request.data)
        if getattr(request._request, "upload_too_large", False):
            return Response(
                {"detail": _("This file is larger than the limit.")},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        data.is_valid(raise_exception=True)
        version = document_services.version_add(
            acting_user=request.user,
            document=document,
            upload=data.validated_data["file"],
            change_note=data.validated_data.get("change_note", ""),
        )
        return Response(s.VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class VersionDownloadView(ApiView):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            302: OpenApiResponse(description="A short-lived signed URL in the object store."),
            404: NOT_FOUND,
        },
        summary="Download a version (the site's permission-checked download)",
    )
    def get(self, request: Request, pk: int):
        # The very view the site uses: permission first, inert attachment or signed URL.
        django_request = request._request
        django_request.user = request.user
        return document_views.download(django_request, _int(pk))


class EventListView(ApiView):
    @extend_schema(
        parameters=[CURSOR],
        responses={200: s.EventPageSerializer, 404: NOT_FOUND},
        summary="A community's events (series once, with their rule), by start",
    )
    def get(self, request: Request, slug: str) -> Response:
        events = event_selectors.event_list_visible_to(
            user=request.user, community=self.community(slug)
        )
        page = keyset_page(
            events.select_related("community"),
            key="start",
            cursor=_cursor(request, datetime_key=True),
            limit=app_settings.API_PAGE_SIZE,
        )
        return Response(
            s.EventPageSerializer({"results": page.items, "next_cursor": page.next_cursor}).data
        )


class RSVPView(ApiView):
    @extend_schema(
        request=s.RSVPSerializer,
        responses={200: s.RSVPSerializer, 400: BAD, 404: NOT_FOUND},
        summary="Answer yes, maybe or no (write scope)",
    )
    def post(self, request: Request, pk: int) -> Response:
        event = event_selectors.event_get_for_user(user=request.user, pk=_int(pk))
        data = s.RSVPSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rsvp = event_services.rsvp_set(
            acting_user=request.user,
            event=event,
            answer=data.validated_data["answer"],
            occurrence_start=data.validated_data.get("occurrence_start"),
        )
        return Response(
            s.RSVPSerializer(
                {"answer": rsvp.answer, "occurrence_start": rsvp.occurrence_start}
            ).data
        )
