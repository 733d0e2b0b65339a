"""Your data (GDPR): what each app holds about a person, exported as a zip and erased.

Each app knows its own tables, so each app contributes its part through this registry from
its ``AppConfig.ready()`` (as ``communities/access.py`` collects grants and
``communities/digests.py`` digest sections): a new model with personal data gets its export
and its erasure next to it, in ``<app>/privacy.py``, and this module never imports the apps
above it. A contribution has up to three parts:

- ``export(user)`` yields ``JsonEntry`` (one JSON array per kind, its rows produced lazily
  from ``.iterator()``) and ``FileEntry`` (a stored file, copied in chunks);
- ``refuse(user)`` gives the reasons an erasure must not happen (the last lead of a
  community), checked before anything changes;
- ``erase(user, email=…)`` removes or anonymises that app's rows. It runs inside the
  erasure's transaction, after the account itself was anonymised (so ``str(user)`` is
  already "Former member"); ``email`` is the address the account had.

``zip_stream`` writes the zip into a write-only sink and yields its bytes as they come:
nothing is ever held whole in memory, whatever the size of the account.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import Storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, QuerySet

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024  # a yielded piece of the zip is about this big
ITERATOR_CHUNK = 500  # rows fetched per database round trip


@dataclass(frozen=True)
class JsonEntry:
    """``name`` (e.g. ``posts.json``): a JSON array of ``rows()``, or one object when
    ``single`` (``profile.json``). ``rows`` is called only while the zip is written."""

    name: str
    rows: Callable[[], Iterable[dict]]
    single: bool = False


@dataclass(frozen=True)
class FileEntry:
    """A stored file copied into the zip at ``name``; read with ``storage.open()`` in
    chunks, so S3 and the local folder work alike."""

    name: str
    storage: Storage
    path: str


Entry = JsonEntry | FileEntry


@dataclass(frozen=True)
class Contribution:
    app: str
    export: Callable[[Any], Iterable[Entry]] | None = None
    erase: Callable[..., None] | None = None  # erase(user, *, email)
    refuse: Callable[[Any], list[str]] | None = None


_contributions: dict[str, Contribution] = {}


def register(contribution: Contribution) -> None:
    """Called once per app from its ``ready()``; registering again replaces it."""
    _contributions[contribution.app] = contribution


def contributions() -> list[Contribution]:
    return list(_contributions.values())


# --- Helpers for the apps' contributions ----------------------------------------------------


def rows(queryset: QuerySet, row: Callable[[Any], dict]) -> Callable[[], Iterator[dict]]:
    """Lazily, ``row(obj)`` for each object, fetched ``ITERATOR_CHUNK`` at a time (a
    server-side cursor on PostgreSQL): memory does not grow with the number of rows."""

    def produce() -> Iterator[dict]:
        for obj in queryset.iterator(chunk_size=ITERATOR_CHUNK):
            yield row(obj)

    return produce


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def safe_name(name: str, *, fallback: str = "file") -> str:
    """A file name fit for a path inside the zip: no folders, control or bidirectional
    characters, never empty, never a dot name."""
    cleaned = _UNSAFE.sub("_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" .")
    return cleaned[:150] or fallback


def relabel_log_entries(model: type[Model], objects: Iterable[Model]) -> None:
    """Wagtail's audit log keeps each object's ``str()`` of the time: write the anonymised
    one over it for ``objects`` (called after they were anonymised)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    for obj in objects:
        ModelLogEntry.objects.filter(content_type=content_type, object_id=str(obj.pk)).update(
            label=str(obj)[:255]
        )


# --- The zip, streamed ----------------------------------------------------------------------


class _Sink:
    """A write-only, unseekable file: ``zipfile`` writes into it (using data descriptors,
    as it does for any unseekable output) and the generator empties it."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return data


def _info(name: str, now: datetime.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()


def zip_stream(entries: Iterable[Entry], *, now: datetime.datetime) -> Iterator[bytes]:
    """The zip of ``entries``, in pieces of about ``CHUNK_BYTES``. A file missing from the
    storage is skipped and listed in ``index.json`` (written last), rather than breaking a
    download already under way."""
    sink = _Sink()
    written: list[str] = []
    missing: list[str] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            if isinstance(entry, JsonEntry):
                # force_zip64: the size is not known before the end of the stream.
                with archive.open(_info(entry.name, now), "w", force_zip64=True) as out:
                    if entry.single:
                        for value in entry.rows():
                            out.write(_json_bytes(value))
                    else:
                        out.write(b"[")
                        for index, value in enumerate(entry.rows()):
                            out.write((b",\n" if index else b"\n") + _json_bytes(value))
                            if sink.size >= CHUNK_BYTES:
                                yield sink.take()
                        out.write(b"\n]\n")
                written.append(entry.name)
            else:
                try:
                    source = entry.storage.open(entry.path, "rb")
                except Exception:  # a lost file must not break the rest of the export
                    logger.warning("export: %s missing from storage", entry.path)
                    missing.append(entry.name)
                    continue
                with source, archive.open(_info(entry.name, now), "w", force_zip64=True) as out:
                    for chunk in source.chunks(CHUNK_BYTES):
                        out.write(chunk)
                        if sink.size >= CHUNK_BYTES:
                            yield sink.take()
                written.append(entry.name)
            if sink.size >= CHUNK_BYTES:
                yield sink.take()
        with archive.open(_info("index.json", now), "w") as out:
            out.write(
                _json_bytes({"generated_at": now, "entries": written, "missing_files": missing})
            )
    yield sink.take()


def export_entries(user: Any) -> Iterator[Entry]:
    """Every app's entries for ``user``, in registration order (accounts first)."""
    for contribution in contributions():
        if contribution.export is not None:
            yield from contribution.export(user)


def erasure_refusals(user: Any) -> list[str]:
    return [
        reason
        for contribution in contributions()
        if contribution.refuse is not None
        for reason in contribution.refuse(user)
    ]


# --- The account's own part -----------------------------------------------------------------


def account_entries(user: Any) -> Iterator[Entry]:
    """``profile.json`` (with the sign-in addresses and two-factor methods, never their
    secrets), ``connections.json`` (the days on the site) and the profile photos."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from portal.accounts.models import Connection

    def profile() -> Iterator[dict]:
        yield {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "organisation": user.organisation,
            "job_title": user.job_title,
            "location": user.location,
            "phone": user.phone,
            "bio": user.bio,
            "skills": sorted(tag.name for tag in user.skills.all()),
            "language": user.language,
            "timezone": user.timezone,
            "quiet_hours_start": user.quiet_hours_start,
            "quiet_hours_end": user.quiet_hours_end,
            "theme": user.theme,
            "is_external": user.is_external,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "last_seen_at": user.last_seen_at,
            "photo": f"files/profile/{safe_name(user.photo.name)}" if user.photo else None,
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "two_factor": [
                {"type": a.type, "created_at": a.created_at, "last_used_at": a.last_used_at}
                for a in Authenticator.objects.filter(user=user).order_by("pk")
            ],
        }

    yield JsonEntry("profile.json", profile, single=True)
    yield JsonEntry(
        "connections.json",
        rows(Connection.objects.filter(user=user).order_by("day"), lambda c: {"day": c.day}),
    )
    if user.photo:
        yield FileEntry(
            f"files/profile/{safe_name(user.photo.name)}", user.photo.storage, user.photo.name
        )
    wagtail_profile = getattr(user, "wagtail_userprofile", None)
    if wagtail_profile is not None and wagtail_profile.avatar:
        avatar = wagtail_profile.avatar
        yield FileEntry(f"files/admin-avatar/{safe_name(avatar.name)}", avatar.storage, avatar.name)
