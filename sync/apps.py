from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "Supplier sync"

    def periodic_tasks(self) -> list[dict]:
        return [
            {
                "name": "Sync the catalog from the supplier",
                "task": "sync.sync_run_request",
                "every_seconds": 15 * 60,
                "description": "Starts a scheduled supplier sync unless one is running.",
            }
        ]
