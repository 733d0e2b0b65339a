"""Private files, from upload to download, the same for library documents, post
attachments and profile photos (and community covers):

- one content check, :func:`check_upload`: the extension must be one the caller accepts and
  the first bytes must be what the extension says (no HTML or SVG posing as text), so the
  type stored and served is decided by content as well as extension;
- random storage keys, :func:`storage_key`: a person's file name is metadata only, never a
  key anybody can guess or steer;
- one hardened response, :func:`private_file_response`, after the caller checked who asks:
  an inert attachment (inline only for images and PDF previews) with ``nosniff``, a sandbox
  CSP of its own (so django-csp leaves it alone) and ``Cache-Control: private, no-store``,
  so no cache keeps a copy after access ends; with an object store, a short-lived signed
  URL that makes the store answer with the same type, disposition and cache headers;
- sizes limited while the upload streams (:class:`MaxSizeUploadHandler`).
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

OOXML = "application/vnd.openxmlformats-officedocument."
OPENDOC = "application/vnd.oasis.opendocument."
ZIP_MAGIC = b"PK\x03\x04"

# extension → (content type, test on the first bytes)
TYPES: dict[str, tuple[str, object]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", "webp"),
    "docx": (OOXML + "wordprocessingml.document", ZIP_MAGIC),
    "xlsx": (OOXML + "spreadsheetml.sheet", ZIP_MAGIC),
    "pptx": (OOXML + "presentationml.presentation", ZIP_MAGIC),
    "odt": (OPENDOC + "text", ZIP_MAGIC),
    "ods": (OPENDOC + "spreadsheet", ZIP_MAGIC),
    "odp": (OPENDOC + "presentation", ZIP_MAGIC),
    "zip": ("application/zip", ZIP_MAGIC),
    "txt": ("text/plain", "text"),
    "csv": ("text/csv", "text"),
}
MARKUP_STARTS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
HEAD_BYTES = 2048  # what the content check reads of each file
# The file response's own policy: nothing runs, even when opened inline.
SANDBOX_CSP = "default-src 'none'; img-src 'self'; object-src 'self'; sandbox"


class UploadRefused(ValueError):
    """The file must not be stored; the message says why, for the person."""


def clean_filename(name: str) -> str:
    """The last path segment, without control or bidirectional-override characters, with
    no leading dots, at most 150 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf"})
    name = " ".join(name.split()).lstrip(". ")
    if len(name) > 150:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 140 - len(extension)] + dot + extension) if dot else name[:150]
    return name or "file"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    if head.lstrip().lower().startswith(MARKUP_STARTS):
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is fine.
            if encoding == "utf-8" and exc.start >= len(head) - 3:
                return True
    return False


def content_type_for(name: str, head: bytes) -> str:
    """The content type to store and serve, decided by extension *and* content; raises
    UploadRefused when they disagree or the kind is not accepted."""
    extension = extension_of(name)
    if extension not in TYPES:
        raise UploadRefused(_("%(name)s: this kind of file is not accepted.") % {"name": name})
    if not head:
        raise UploadRefused(_("%(name)s is empty.") % {"name": name})
    content_type, test = TYPES[extension]
    if test == "text":
        ok = _is_text(head)
    elif test == "webp":
        ok = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    elif isinstance(test, tuple):
        ok = head.startswith(test)
    else:
        ok = head.startswith(test)
    if not ok:
        raise UploadRefused(
            _("%(name)s is not really a .%(extension)s file.")
            % {"name": name, "extension": extension}
        )
    return content_type


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(upload: Any, *, extensions: Iterable[str] | None = None) -> str:
    """The content type of an uploaded file, by extension and content; raises UploadRefused
    when the kind is not in ``extensions`` (default: every kind of ``TYPES``), the file is
    empty, or its bytes are not what its extension says. Leaves the file at its start."""
    name = clean_filename(upload.name or "")
    if extensions is not None and extension_of(name) not in extensions:
        raise UploadRefused(_("%(name)s: this kind of file is not accepted.") % {"name": name})
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return content_type_for(name, head)


def random_name(name: str = "") -> str:
    """A random file name for storage; only the extension of ``name`` is kept, and only a
    known one, so that the key says the type."""
    extension = extension_of(name)
    suffix = f".{extension}" if extension in TYPES else ""
    return f"{secrets.token_urlsafe(24)}{suffix}"


def storage_key(prefix: str, name: str = "") -> str:
    """A random key under ``prefix/<year>/<month>/`` (see :func:`random_name`)."""
    return f"{prefix}/{timezone.now():%Y/%m}/{random_name(name)}"


def content_type_of_key(key: str) -> str:
    """The type a stored file is served as, from the extension its key kept (files stored
    before the keys were random keep their original name's)."""
    return TYPES.get(extension_of(key), ("application/octet-stream",))[0]


def private_file_response(
    field: Any, *, name: str, content_type: str, inline: bool = False
) -> HttpResponse:
    """A stored file for someone the caller has just allowed: streamed from local storage,
    or a redirect to a short-lived signed URL of the object store. ``inline`` is honoured
    for images and PDF only; anything else is an attachment."""
    inline = inline and (content_type in IMAGE_TYPES or content_type == "application/pdf")
    response: HttpResponse
    if settings.SERVE_MEDIA:
        response = FileResponse(
            field.open("rb"), as_attachment=not inline, filename=name, content_type=content_type
        )
    else:
        # The object store answers the signed URL with these headers, not the stored ones.
        response = HttpResponseRedirect(
            field.storage.url(
                field.name,
                parameters={
                    "ResponseContentDisposition": content_disposition_header(not inline, name),
                    "ResponseContentType": content_type,
                    "ResponseCacheControl": "private, no-store",
                },
            )
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cache-Control"] = "private, no-store"
    return response


class MaxSizeUploadHandler(FileUploadHandler):
    """Stops reading the request as soon as a file passes the limit (a lying Content-Length
    changes nothing: the bytes are counted). The view sees ``request.upload_too_large``."""

    def __init__(self, request=None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.declared_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Trust a large Content-Length enough to stop early; never trust a small one.
        self.declared_too_large = bool(content_length and content_length > self.limit + 65536)

    def _stop(self) -> None:
        self.request.upload_too_large = True
        # The rest of the body is read and thrown away (nothing kept in memory or on disk)
        # so the browser still receives the answer.
        raise StopUpload(connection_reset=False)

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.declared_too_large:
            self._stop()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._stop()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
