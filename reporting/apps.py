from django.apps import AppConfig

# Each schedule runs at 06:00 shop time and reports on the period that just ended.
# crontab day_of_week counts from Sunday = 0, so Monday is 1.
REPORT_SCHEDULES = [
    ("Daily sales report (yesterday)", "daily", {"minute": "0", "hour": "6"}),
    (
        "Weekly sales report (last Monday to Sunday)",
        "weekly",
        {"minute": "0", "hour": "6", "day_of_week": "1"},
    ),
    ("Monthly sales report (last month)", "monthly", {"minute": "0", "hour": "6", "day_of_month": "1"}),
]


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reports"

    def periodic_tasks(self) -> list[dict]:
        return [
            {
                "name": name,
                "task": "reporting.scheduled_report",
                "kwargs": {"kind": kind},
                "crontab": crontab,
                "description": "Mailed to all staff with the PDF attached; runs at LOW priority.",
            }
            for name, kind, crontab in REPORT_SCHEDULES
        ]

    def seed_demo(self, *, stdout) -> None:
        from .demo import sales_history_seed

        sales_history_seed(stdout=stdout)
