"""The monthly report for management: goals and progress, content and reach, spend and return, response
times, and what the team needs; as a web page, a PDF and CSV tables, in the reader's language.

`monthly_report` gathers plain data (numbers, dates, labels) from the dashboard's queries, the goals and the
action plan; rendering formats it in one place (`format_value`), so the PDF shows exactly the figures the
web page shows. `send_due_reports` e-mails last month's report to each scheduled recipient once.
"""

from flokk.analytics.services.report.data import (
    Chart,
    Column,
    Report,
    ReportTable,
    Section,
    last_month,
    local_today,
    next_month,
    parse_month,
    previous_month,
)
from flokk.analytics.services.report.gather import monthly_report
from flokk.analytics.services.report.render import (
    chart_svg,
    format_change,
    format_value,
    month_label,
    pdf_file_name,
    render_report_html,
    render_report_pdf_html,
    report_data,
    report_pdf,
    table_csv,
)
from flokk.analytics.services.report.schedules import (
    add_schedule,
    remove_schedule,
    schedule_candidates,
    send_due_reports,
    send_scheduled_report,
)

__all__ = [
    "Chart", "Column", "Report", "ReportTable", "Section", "add_schedule", "chart_svg", "format_change",
    "format_value", "last_month", "local_today", "month_label", "monthly_report", "next_month", "parse_month",
    "pdf_file_name", "previous_month", "remove_schedule", "render_report_html", "render_report_pdf_html",
    "report_data", "report_pdf", "schedule_candidates", "send_due_reports", "send_scheduled_report",
    "table_csv",
]  # fmt: skip
