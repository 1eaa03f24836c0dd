"""`manage.py mail_send_at <message id> <HH:MM>`: send a pending message at a time today.

An ETA, bounded: the send must be due within LONGEST_SEND_DELAY (10 minutes), because the
worker holds the message unacked until then and Redis would hand it out again after the
visibility timeout. Anything later is refused with a pointer to beat.
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications import services


class Command(BaseCommand):
    help = "Send a pending transactional message at HH:MM today (shop time zone), within 10 minutes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("message_id", type=int)
        parser.add_argument("at", help="HH:MM or HH:MM:SS, today, in settings.TIME_ZONE")

    def handle(self, *args, message_id: int, at: str, **options) -> None:
        try:
            clock = datetime.strptime(at, "%H:%M:%S" if at.count(":") == 2 else "%H:%M").time()
        except ValueError as exc:
            raise CommandError(f"not a time: {at!r}") from exc
        when = timezone.make_aware(datetime.combine(timezone.localdate(), clock))
        try:
            task_id = services.message_send_at(message_id=message_id, at=when)
        except ValueError as exc:  # not pending, or SendTooFarAhead
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"message {message_id} will be sent at {when.isoformat()} (task {task_id})")
