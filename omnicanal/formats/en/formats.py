"""English display formats, British style: day before month and a 24-hour clock ("3 Dec
2026, 14:32"), as agents in Europe read them, instead of Django's American "Dec. 3, 2026,
2:32 p.m."."""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DAY_MONTH_FORMAT = "j M"
FIRST_DAY_OF_WEEK = 1
