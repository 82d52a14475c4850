from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from recordings import services
from trading.models import Room, User


class Command(BaseCommand):
    help = ("Issue a recorder token for a room (printed once; only its hash is kept) for unattended upload with "
            "'Authorization: Recorder <token>', in the name of the administrator given with --by.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("room", help="the room's name")
        parser.add_argument("--label", default="", help="which recorder this is")
        parser.add_argument("--by", required=True, metavar="USERNAME", help="the administrator issuing it")

    def handle(self, *args: Any, **options: Any) -> None:
        room = Room.objects.filter(name=options["room"]).first()
        if room is None:
            raise CommandError(f"no room named {options['room']!r}")
        actor = User.objects.filter(username=options["by"]).first()
        if actor is None:
            raise CommandError(f"no user named {options['by']!r}")
        try:
            _issued, token = services.recorder_token_issue(actor=actor, room=room, label=options["label"])
        except PermissionDenied as error:
            raise CommandError(f"{actor.username}: {error}") from None
        self.stdout.write(token)
