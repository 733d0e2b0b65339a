"""Dates in French pages: ``7 mars 2027``, the month abbreviated the French way and in lower
case (``N``: jan., fév., mars, avr., mai, juin, juil., août, sept., oct., nov., déc.),
never ``M`` (``Jui`` for both June and July)."""

DATE_FORMAT = "j N Y"
SHORT_DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j N Y, H:i"
SHORT_DATETIME_FORMAT = "j N Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
# A month where room is short (a chart's axis): ``jan. 2026``, as in DATE_FORMAT. Not one of
# Django's names: read with django.utils.formats.date_format, which looks it up here.
SHORT_YEAR_MONTH_FORMAT = "N Y"
MONTH_DAY_FORMAT = "j N"
FIRST_DAY_OF_WEEK = 1
