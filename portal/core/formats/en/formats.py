"""Dates in English pages: one unambiguous form, day month-abbreviation year
(``7 Mar 2027``), never ``03/07/2027`` (read as 3 July in half the world) nor ``Mar. 7, 2027``.
Templates and code name these formats (``|date:"DATE_FORMAT"``); none spells its own."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
# A month where room is short (a chart's axis): ``Jan 2026``. Not one of Django's names: read
# with django.utils.formats.date_format, which looks it up here.
SHORT_YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
FIRST_DAY_OF_WEEK = 1  # Monday, as the calendar grid
