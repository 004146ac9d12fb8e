"""French display formats: Django's own (24-hour clock), plus the short day and month that
list rows show for this year's dates ("3 déc.")."""

SHORT_DAY_MONTH_FORMAT = "j N"
