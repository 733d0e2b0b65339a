"""What the API returns and accepts. Output only from objects the selectors handed over."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.models import Comment, Community, Post
from documents.models import Document, DocumentVersion
from events.models import RSVP, Event


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    is_guest = serializers.BooleanField(source="is_external")
    scope = serializers.CharField(allow_null=True)


class CommunitySerializer(serializers.ModelSerializer):
    is_archived = serializers.BooleanField()

    class Meta:
        model = Community
        fields = ["slug", "name", "description", "kind", "visibility", "is_archived"]


class PostSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = PersonSerializer()
    via = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "community",
            "author",
            "via",
            "body",
            "body_html",
            "is_pinned",
            "comment_count",
            "like_count",
            "created_at",
            "edited_at",
            "url",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_via(self, post: Post) -> str | None:
        return getattr(post, "via", None) or None

    def get_url(self, post: Post) -> str:
        return reverse("communities:post", args=[post.pk])


class PostPageSerializer(serializers.Serializer):
    pinned = PostSerializer(many=True)
    results = PostSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class PostCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10_000, trim_whitespace=True)


class CommentSerializer(serializers.ModelSerializer):
    author = PersonSerializer()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)

    class Meta:
        model = Comment
        fields = ["id", "post", "parent", "author", "body", "body_html", "like_count", "created_at"]


class CommentPageSerializer(serializers.Serializer):
    results = CommentSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10_000)
    parent = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class VersionSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "number",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "change_note",
            "uploaded_at",
            "is_locked",
            "download_url",
        ]

    def get_download_url(self, version: DocumentVersion) -> str:
        return reverse("api:version_download", args=[version.pk])


class DocumentSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    current_version = VersionSerializer(allow_null=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "community",
            "title",
            "description",
            "created_at",
            "updated_at",
            "current_version",
        ]


class DocumentDetailSerializer(DocumentSerializer):
    versions = VersionSerializer(many=True, source="version_list")

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "versions"]


class DocumentPageSerializer(serializers.Serializer):
    results = DocumentSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    change_note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class EventSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "community",
            "title",
            "description",
            "location",
            "online_url",
            "start",
            "end",
            "tz",
            "all_day",
            "status",
            "freq",
            "interval",
            "until",
            "count",
            "capacity",
        ]


class EventPageSerializer(serializers.Serializer):
    results = EventSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class RSVPSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=RSVP.Answer.choices)
    occurrence_start = serializers.DateTimeField(required=False, allow_null=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
