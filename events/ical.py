"""iCalendar in and out, with the ``icalendar`` package (pure: no request, no database).

Out: events → bytes for downloads and subscription feeds: a stable UID, SEQUENCE and
LAST-MODIFIED that move on every change, STATUS:CANCELLED, RRULE/EXDATE for series, one
VEVENT with RECURRENCE-ID per changed occurrence, and a VTIMEZONE for every zone used.
The output depends only on the events (DTSTAMP is their last change), so the same events
give the same bytes and the same ETag.

In: bytes → validated events, or ``ImportRefused`` with a message naming the problem. Hostile
files are bounded before parsing (size, component count) and every series is checked within
a bounded window.
"""

from __future__ import annotations

import datetime
import re
import warnings
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import icalendar
from django.utils.translation import gettext as _
from icalendar.error import GloballyUniqueTZIDGuessed
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from events.app_settings import app_settings
from events.recurrence import (
    FIRST_YEAR,
    LAST_YEAR,
    exdate_key,
    expandable,
    has_occurrence,
    in_range,
)

UTC = datetime.UTC
PRODID = "-//Parvis//Community calendar//EN"
RRULE_FREQ = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY"}
FREQ_FROM_RRULE = {v: k for k, v in RRULE_FREQ.items()}


# --- Out --------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _vtimezone(tz: str) -> bytes:
    return icalendar.Timezone.from_tzid(tz).to_ical()


def _local(value: datetime.datetime, tz: str) -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(tz)
    local = value.astimezone(zone)
    return local if tz != "UTC" else value.astimezone(UTC)


# The VEVENTs are written directly (RFC 5545 sections 3.1 and 3.3): a 2,000-event feed is
# built in a tenth of the time ``icalendar``'s component model takes, and the tests check
# that ``icalendar`` reads back exactly what it would have written.


def _text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> bytes:
    """One content line, folded at 75 octets without cutting a UTF-8 character."""
    data = line.encode()
    if len(data) <= 75:
        return data + b"\r\n"
    parts, chunk, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append("".join(chunk))
            chunk, size, limit = [], 0, 74  # continuation lines start with a space
        chunk.append(char)
        size += width
    parts.append("".join(chunk))
    return "\r\n ".join(parts).encode() + b"\r\n"


def _stamp(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def _utc(value: datetime.datetime) -> str:
    return _stamp(value).strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, value: datetime.datetime, tz: str, all_day: bool) -> str:
    """DTSTART, DTEND, RECURRENCE-ID: a date, a UTC time, or a local time with its TZID."""
    if all_day:
        return f"{name};VALUE=DATE:{_local(value, tz).date():%Y%m%d}"
    if tz == "UTC":
        return f"{name}:{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"{name};TZID={tz}:{_local(value, tz):%Y%m%dT%H%M%S}"


def _component(lines: list[str]) -> bytes:
    return b"BEGIN:VEVENT\r\n" + b"".join(_fold(line) for line in lines) + b"END:VEVENT\r\n"


def _vevent(event: Any, *, url: str | None) -> bytes:
    tz, all_day = event.tz, event.all_day
    lines = [
        f"SUMMARY:{_text(event.title)}",
        _when("DTSTART", event.start, tz, all_day),
        _when("DTEND", event.end, tz, all_day),
        f"DTSTAMP:{_utc(event.updated_at)}",
        f"UID:{_text(event.uid)}",
        f"SEQUENCE:{event.sequence}",
        f"CREATED:{_utc(event.created_at)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{_text(event.description)}")
    lines.append(f"LAST-MODIFIED:{_utc(event.updated_at)}")
    if event.location:
        lines.append(f"LOCATION:{_text(event.location)}")
    lines.append(f"STATUS:{'CANCELLED' if event.is_cancelled else 'CONFIRMED'}")
    if url:
        lines.append(f"URL:{url}")
    if event.freq:
        rule = f"FREQ={RRULE_FREQ[event.freq]}"
        if event.interval > 1:
            rule += f";INTERVAL={event.interval}"
        if event.count:
            rule += f";COUNT={event.count}"
        elif event.until:
            until = f"{_local(event.until, tz).date():%Y%m%d}" if all_day else _utc(event.until)
            rule += f";UNTIL={until}"
        lines.append(f"RRULE:{rule}")
        if event.exdates:
            excluded = [datetime.datetime.fromisoformat(value) for value in event.exdates]
            if all_day:
                dates = ",".join(f"{_local(v, tz).date():%Y%m%d}" for v in excluded)
                lines.append(f"EXDATE;VALUE=DATE:{dates}")
            elif tz == "UTC":
                lines.append(
                    "EXDATE:" + ",".join(f"{v.astimezone(UTC):%Y%m%dT%H%M%SZ}" for v in excluded)
                )
            else:
                times = ",".join(f"{_local(v, tz):%Y%m%dT%H%M%S}" for v in excluded)
                lines.append(f"EXDATE;TZID={tz}:{times}")
    if event.online_url:
        lines.append(f"CONFERENCE;VALUE=URI:{event.online_url}")
    return _component(lines)


def _override_vevent(event: Any, override: Any) -> bytes:
    tz, all_day = event.tz, event.all_day
    lines = [
        f"SUMMARY:{_text(override.title)}",
        _when("DTSTART", override.start, tz, all_day),
        _when("DTEND", override.end, tz, all_day),
        f"DTSTAMP:{_utc(override.updated_at)}",
        f"UID:{_text(event.uid)}",
        _when("RECURRENCE-ID", override.original_start, tz, all_day),
        f"SEQUENCE:{event.sequence}",
    ]
    if override.description:
        lines.append(f"DESCRIPTION:{_text(override.description)}")
    lines.append(f"LAST-MODIFIED:{_utc(override.updated_at)}")
    if override.location:
        lines.append(f"LOCATION:{_text(override.location)}")
    cancelled = override.cancelled or event.is_cancelled
    lines.append(f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}")
    return _component(lines)


def event_bytes(
    event: Any, *, url: str | None = None, overrides: Iterable[Any] | None = None
) -> bytes:
    """The VEVENT of ``event``, and one per changed occurrence (``overrides``, or the
    event's loaded ``overrides``): the part of a calendar that can be cached per event and
    change. Nothing for an event stored before dates were bounded with a date no calendar
    application can read (year 1): the rest of the feed stays valid."""
    if not all(expandable(v) for v in (event.start, event.end, event.until) if v is not None):
        return b""
    parts = [_vevent(event, url=url)]
    changed = event.overrides.all() if overrides is None else overrides
    parts.extend(
        _override_vevent(event, o)
        for o in changed
        if expandable(o.start) and expandable(o.end) and expandable(o.original_start)
    )
    return b"".join(parts)


def zones_of(events: Iterable[Any]) -> set[str]:
    return {e.tz for e in events if not e.all_day and e.tz != "UTC"}


def assemble(bodies: Iterable[bytes], *, zones: Iterable[str], name: str = "") -> bytes:
    """A VCALENDAR around already serialised events, with a VTIMEZONE per zone (each
    computed once per process)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    head, tail = calendar.to_ical().split(b"END:VCALENDAR")
    timezones = b"".join(_vtimezone(tz) for tz in sorted(zones))
    return head + timezones + b"".join(bodies) + b"END:VCALENDAR" + tail


def build_calendar(
    events: Iterable[Any],
    *,
    name: str = "",
    event_url: Any = None,
) -> bytes:
    """The iCalendar text of ``events`` (each with its ``overrides`` loaded).

    ``event_url(event)`` gives each event's page address, if wanted."""
    events = list(events)
    bodies = (event_bytes(e, url=event_url(e) if event_url else None) for e in events)
    return assemble(bodies, zones=zones_of(events), name=name)


# --- In ---------------------------------------------------------------------------------


class ImportRefused(ValueError):
    """The file cannot be imported; the message says why (and nothing was imported)."""


@dataclass
class ImportedOccurrence:
    original_start: datetime.datetime
    start: datetime.datetime
    end: datetime.datetime
    title: str
    description: str = ""
    location: str = ""
    cancelled: bool = False


@dataclass
class ImportedEvent:
    uid: str
    title: str
    start: datetime.datetime
    end: datetime.datetime
    tz: str
    all_day: bool = False
    description: str = ""
    location: str = ""
    online_url: str = ""
    cancelled: bool = False
    freq: str = ""
    interval: int = 1
    until: datetime.datetime | None = None
    count: int | None = None
    exdates: list[str] = field(default_factory=list)
    overrides: list[ImportedOccurrence] = field(default_factory=list)


BEGIN_LINE = re.compile(rb"^BEGIN:", re.MULTILINE | re.IGNORECASE)
# A value that tries to open or close a component once unfolded and unescaped.
COMPONENT_MARKER = re.compile(r"(?:^|[\r\n])\s*(?:BEGIN|END):V[A-Z]+", re.IGNORECASE)
SINGLE_LINE = ("SUMMARY", "LOCATION", "UID", "URL")
ALLOWED_RULE_PARTS = {"FREQ", "INTERVAL", "UNTIL", "COUNT", "WKST", "BYDAY", "BYMONTHDAY"}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_DURATION = datetime.timedelta(days=366)


def _decode(data: bytes) -> str:
    if len(data) > app_settings.IMPORT_MAX_BYTES:
        raise ImportRefused(
            _("The file is larger than %(limit)s KB.")
            % {"limit": app_settings.IMPORT_MAX_BYTES // 1024}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_("The file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise ImportRefused(_("The file is not UTF-8 text."))
    stripped = text.strip()
    if not stripped.upper().startswith("BEGIN:VCALENDAR"):
        raise ImportRefused(
            _("This is not an iCalendar file (it must start with BEGIN:VCALENDAR).")
        )
    if not stripped.upper().endswith("END:VCALENDAR"):
        raise ImportRefused(_("The file is cut short: it does not end with END:VCALENDAR."))
    normalised = text.replace("\r\n", "\n")
    if "\r" in normalised:
        raise ImportRefused(_("The file contains a carriage return inside a line."))
    components = len(BEGIN_LINE.findall(normalised.encode()))
    if components > app_settings.IMPORT_MAX_COMPONENTS:
        raise ImportRefused(
            _("The file has %(count)s components; at most %(limit)s are accepted.")
            % {"count": components, "limit": app_settings.IMPORT_MAX_COMPONENTS}
        )
    return normalised.replace("\n", "\r\n")


def _zone_name(tzid: str) -> str | None:
    """The IANA name for a TZID: itself, a Windows name (Outlook), or the end of a
    vendor-prefixed one (``/mozilla.org/20050126_1/Europe/Paris``)."""
    tzid = tzid.strip().strip('"')
    if tzid in WINDOWS_TO_OLSON:
        return WINDOWS_TO_OLSON[tzid]
    parts = [p for p in tzid.split("/") if p]
    for candidate in [tzid] + ["/".join(parts[-n:]) for n in (3, 2, 1) if len(parts) > n]:
        try:
            zoneinfo.ZoneInfo(candidate)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        return candidate
    return None


class _Reader:
    """Turns one parsed VEVENT into plain values, naming the event in every error."""

    def __init__(self, vevent: icalendar.Event, *, default_tz: str, position: int) -> None:
        self.vevent = vevent
        self.default_tz = default_tz
        summary = str(vevent.get("SUMMARY", "") or "").strip()
        self.name = summary[:60] or _("event no. %(n)s") % {"n": position}

    def refuse(self, message: str) -> ImportRefused:
        return ImportRefused(_("%(label)s: %(value)s") % {"label": self.name, "value": message})

    def text(self, key: str) -> str:
        value = self.vevent.get(key)
        if value is None:
            return ""
        if isinstance(value, list):
            raise self.refuse(_("%(prop)s appears more than once.") % {"prop": key})
        value = str(value)
        if COMPONENT_MARKER.search(value):
            raise self.refuse(
                _("%(prop)s contains a component marker (BEGIN:/END:).") % {"prop": key}
            )
        if key in SINGLE_LINE and ("\n" in value or "\r" in value):
            raise self.refuse(_("%(prop)s contains a line break.") % {"prop": key})
        return value.strip()

    def out_of_range(self, key: str) -> ImportRefused:
        return self.refuse(
            _("%(prop)s is not between the years %(first)s and %(last)s.")
            % {"prop": key, "first": FIRST_YEAR, "last": LAST_YEAR}
        )

    def when(self, key: str) -> tuple[datetime.datetime, str, bool] | None:
        """(aware start, zone name, all day) of a DTSTART-like property."""
        prop = self.vevent.get(key)
        if prop is None:
            return None
        if isinstance(prop, list):
            raise self.refuse(_("%(prop)s appears more than once.") % {"prop": key})
        value = prop.dt
        if isinstance(value, datetime.date) and not in_range(value):
            # Before any computation: near the years 1 and 9999 a zone shift overflows.
            raise self.out_of_range(key)
        tzid = prop.params.get("TZID")
        if isinstance(value, datetime.datetime):
            if tzid:
                zone_name = _zone_name(str(tzid))
                if zone_name is None:
                    raise self.refuse(_("unknown time zone “%(tz)s”.") % {"tz": tzid})
                local = value.replace(tzinfo=None)
                return local.replace(tzinfo=zoneinfo.ZoneInfo(zone_name)), zone_name, False
            if value.tzinfo is not None:
                return value.astimezone(UTC), "UTC", False
            # Floating time: read it in the importer's zone.
            zone = zoneinfo.ZoneInfo(self.default_tz)
            return value.replace(tzinfo=zone), self.default_tz, False
        if isinstance(value, datetime.date):
            zone = zoneinfo.ZoneInfo(self.default_tz)
            start = datetime.datetime.combine(value, datetime.time(0), tzinfo=zone)
            return start, self.default_tz, True
        raise self.refuse(_("%(prop)s is not a date.") % {"prop": key})

    def times(self) -> tuple[datetime.datetime, datetime.datetime, str, bool]:
        begun = self.when("DTSTART")
        if begun is None:
            raise self.refuse(_("no start (DTSTART)."))
        start, tz, all_day = begun
        ended = self.when("DTEND")
        if ended is not None:
            end = ended[0]
            if ended[2] != all_day:
                raise self.refuse(_("start and end are not of the same kind."))
        elif self.vevent.get("DURATION") is not None:
            duration = self.vevent.get("DURATION").dt
            if not isinstance(duration, datetime.timedelta):
                raise self.refuse(_("DURATION is not a duration."))
            if abs(duration) > MAX_DURATION:
                raise self.refuse(_("it lasts more than a year."))
            end = start + duration
        else:
            end = start + (datetime.timedelta(days=1) if all_day else datetime.timedelta(0))
        if end < start:
            raise self.refuse(_("it ends before it starts."))
        if end - start > MAX_DURATION:
            raise self.refuse(_("it lasts more than a year."))
        return start, end, tz, all_day


def _rule(reader: _Reader, start: datetime.datetime, tz: str) -> dict[str, Any]:
    rrules = reader.vevent.get("RRULE")
    if rrules is None:
        return {}
    if isinstance(rrules, list):
        raise reader.refuse(_("more than one repeat rule (RRULE)."))
    parts = {key.upper(): value for key, value in rrules.items()}
    unknown = set(parts) - ALLOWED_RULE_PARTS
    freq = str((parts.get("FREQ") or [""])[0]).upper()
    if unknown or freq not in FREQ_FROM_RRULE:
        raise reader.refuse(
            _(
                "this repeat rule is not supported (daily, weekly or monthly, every N, "
                "until or count)."
            )
        )
    local = start.astimezone(zoneinfo.ZoneInfo(tz))
    byday = [str(d).upper() for d in parts.get("BYDAY", [])]
    if byday and (freq != "WEEKLY" or byday != [WEEKDAYS[local.weekday()]]):
        raise reader.refuse(_("repeating on other days than the first one's is not supported."))
    bymonthday = [int(d) for d in parts.get("BYMONTHDAY", [])]
    if bymonthday and (freq != "MONTHLY" or bymonthday != [local.day]):
        raise reader.refuse(_("repeating on other days than the first one's is not supported."))
    interval = int((parts.get("INTERVAL") or [1])[0])
    if not 1 <= interval <= 366:
        raise reader.refuse(_("the repeat interval must be between 1 and 366."))
    count = parts.get("COUNT")
    count = int(count[0]) if count else None
    if count is not None and not 1 <= count <= app_settings.MAX_COUNT:
        raise reader.refuse(
            _("a series may repeat at most %(limit)s times (COUNT=%(count)s).")
            % {"limit": app_settings.MAX_COUNT, "count": count}
        )
    until = parts.get("UNTIL")
    until_value = None
    if until:
        value = until[0]
        if not in_range(value):
            raise reader.out_of_range("UNTIL")
        if isinstance(value, datetime.datetime):
            until_value = value if value.tzinfo else value.replace(tzinfo=zoneinfo.ZoneInfo(tz))
        else:
            # A date: the whole of that day, in the event's zone.
            until_value = datetime.datetime.combine(
                value, datetime.time(23, 59, 59), tzinfo=zoneinfo.ZoneInfo(tz)
            )
    return {
        "freq": FREQ_FROM_RRULE[freq],
        "interval": interval,
        "count": count,
        "until": until_value,
    }


def _exdates(reader: _Reader, tz: str, all_day: bool) -> list[str]:
    props = reader.vevent.get("EXDATE")
    if props is None:
        return []
    if not isinstance(props, list):
        props = [props]
    zone = zoneinfo.ZoneInfo(tz)
    keys: list[str] = []
    for prop in props:
        tzid = prop.params.get("TZID")
        prop_zone = zone
        if tzid:
            name = _zone_name(str(tzid))
            if name is None:
                raise reader.refuse(_("unknown time zone “%(tz)s”.") % {"tz": tzid})
            prop_zone = zoneinfo.ZoneInfo(name)
        for item in prop.dts:
            value = item.dt
            if not isinstance(value, datetime.date):
                raise reader.refuse(_("%(prop)s is not a date.") % {"prop": "EXDATE"})
            if not in_range(value):
                raise reader.out_of_range("EXDATE")
            if isinstance(value, datetime.datetime):
                aware = value.replace(tzinfo=prop_zone) if (tzid or value.tzinfo is None) else value
            else:
                aware = datetime.datetime.combine(value, datetime.time(0), tzinfo=zone)
            keys.append(exdate_key(aware))
    return keys


def parse_calendar(data: bytes, *, default_tz: str) -> list[ImportedEvent]:
    """Every event of an .ics file, checked; ``ImportRefused`` at the first problem."""
    text = _decode(data)
    try:
        with warnings.catch_warnings():
            # A vendor-prefixed TZID: _zone_name decides what it means, not a warning.
            warnings.simplefilter("ignore", GloballyUniqueTZIDGuessed)
            calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:
        raise ImportRefused(
            _("The file could not be read as iCalendar (%(error)s).") % {"error": str(exc)[:120]}
        ) from None
    if isinstance(calendar, list) or calendar.name != "VCALENDAR":
        raise ImportRefused(_("The file must hold exactly one calendar."))
    masters: dict[str, ImportedEvent] = {}
    pending: list[tuple[str, ImportedOccurrence, _Reader]] = []
    for position, vevent in enumerate(calendar.walk("VEVENT"), start=1):
        reader = _Reader(vevent, default_tz=default_tz, position=position)
        errors = getattr(vevent, "errors", None)
        if errors:
            prop, message = errors[0]
            raise reader.refuse(
                _("%(prop)s could not be read (%(error)s).")
                % {"prop": prop, "error": str(message)[:80]}
            )
        uid = reader.text("UID")
        title = reader.text("SUMMARY") or _("(untitled)")
        if len(title) > 200 or len(uid) > 255:
            raise reader.refuse(_("the title or UID is too long."))
        start, end, tz, all_day = reader.times()
        cancelled = reader.text("STATUS").upper() == "CANCELLED"
        description = reader.text("DESCRIPTION")[:5000]
        location = reader.text("LOCATION")[:200]
        if vevent.get("RECURRENCE-ID") is not None:
            recurrence = reader.when("RECURRENCE-ID")
            assert recurrence is not None
            occurrence = ImportedOccurrence(
                original_start=recurrence[0].astimezone(UTC),
                start=start,
                end=end,
                title=title,
                description=description,
                location=location,
                cancelled=cancelled,
            )
            pending.append((uid, occurrence, reader))
            continue
        if not uid:
            raise reader.refuse(_("no UID."))
        if uid in masters:
            raise reader.refuse(_("the UID appears twice."))
        url = reader.text("URL")
        conference = vevent.get("CONFERENCE")
        online_url = (
            str(conference) if conference is not None and not isinstance(conference, list) else ""
        )
        online_url = online_url or url
        if online_url and not online_url.lower().startswith(("https://", "http://")):
            online_url = ""
        rule = _rule(reader, start, tz)
        event = ImportedEvent(
            uid=uid,
            title=title,
            start=start.astimezone(UTC),
            end=end.astimezone(UTC),
            tz=tz,
            all_day=all_day,
            description=description,
            location=location,
            online_url=online_url[:500],
            cancelled=cancelled,
            exdates=_exdates(reader, tz, all_day) if rule else [],
            **rule,
        )
        if rule and not has_occurrence(
            start=event.start,
            tz=tz,
            freq=event.freq,
            interval=event.interval,
            until=event.until,
            count=event.count,
            exdates=event.exdates,
        ):
            raise reader.refuse(_("its repeat rule never produces an occurrence."))
        masters[uid] = event
    for uid, occurrence, reader in pending:
        master = masters.get(uid)
        if master is None or not master.freq:
            raise reader.refuse(_("a changed occurrence whose series is not in the file."))
        master.overrides.append(occurrence)
    if not masters:
        raise ImportRefused(_("The file holds no event."))
    return list(masters.values())
