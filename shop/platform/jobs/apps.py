from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "shop.platform.jobs"
    label = "jobs"
    verbose_name = "Jobs (workflow runs)"

    def ready(self) -> None:
        from . import tracking  # noqa: F401  (connects the task signals)

    def periodic_tasks(self) -> list[dict]:
        return [
            {
                "name": "Dispatch workflows the broker missed (outbox sweeper)",
                "task": "jobs.sweep_pending_dispatches",
                "every_seconds": 15,
            }
        ]
