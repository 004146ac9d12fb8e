"""The report's CSV and XLSX exports: the page's tables, value for value, in the scope of the
person exporting."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

from django.test import Client

from omnicanal.accounts.models import Team, User
from omnicanal.analytics import daily, exports, reports
from omnicanal.analytics.tests.reports_factory import at, make_conversation
from omnicanal.conversations.models import Inbox

YESTERDAY = daily.local_day(dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)


def test_the_csv_holds_every_table_of_the_page(admin: User, api_inbox: Inbox) -> None:
    make_conversation(api_inbox, at(YESTERDAY), topic="=HYPERLINK(\"x\")", first_response_s=90)
    daily.rebuild()
    report = reports.build_report(admin, reports.parse_period({"days": "7"}))

    blocks = exports.report_csv(report).split("\n\n")[1:]

    assert len(blocks) == len(report.tables)
    for block, table in zip(blocks, report.tables, strict=True):
        rows = list(csv.reader(io.StringIO(block)))
        assert rows[0] == [table.title]
        assert rows[1] == [column.label for column in table.columns]
        assert len(rows) - 2 == len(table.rows)
    kpis = {row[0]: row[1] for row in list(csv.reader(io.StringIO(blocks[0])))[2:]}
    assert kpis["Conversations"] == "1" and kpis["First response, median (min)"] == "1.5"
    # A label typed by a user does not become a spreadsheet formula.
    assert "'=HYPERLINK" in blocks[-1]


def test_an_agent_exports_only_their_own_figures(
    agent: User, other_agent: User, team: Team, api_inbox: Inbox
) -> None:
    make_conversation(api_inbox, at(YESTERDAY), agent=agent, team=team)
    make_conversation(api_inbox, at(YESTERDAY), agent=other_agent)
    daily.rebuild()
    client = Client()
    client.force_login(agent)

    response = client.get("/reports/export.csv?days=7")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="report-')
    text = response.content.decode()
    assert "Bob Agent" in text and "Carol Agent" not in text
    workbook = client.get("/reports/export.xlsx?days=7")
    assert workbook.status_code == 200
    with zipfile.ZipFile(io.BytesIO(workbook.content)) as archive:
        strings = archive.read("xl/sharedStrings.xml").decode()
        assert len([name for name in archive.namelist() if name.startswith("xl/worksheets/")
                    and name.endswith(".xml")]) == 9
    assert "Bob Agent" in strings and "Carol Agent" not in strings
