"""Uploaded files: names made harmless, types decided by content as well as extension,
sizes limited while the upload streams. Pure functions and one upload handler."""

from __future__ import annotations

import unicodedata

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
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
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
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
