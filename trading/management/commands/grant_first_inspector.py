from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.errors import Conflict
from trading.models import User
from trading.services import accounts


class Command(BaseCommand):
    help = ("Make USERNAME the centre's first discipline inspector, when no active inspector exists to approve one "
            "(every later inspector or supervisor is approved by an inspector on /inspect/roles/). Acts as the system "
            "account and is a risk finding like every grant. The account's password becomes unusable: the command "
            "prints the one-time path with which the person sets their own (prefix it with the site's address). "
            "Exits 1 if refused.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="an active person's account, not the administrator's")
        parser.add_argument("--reason", required=True, help="why (a decision, a letter of appointment)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        try:
            grant = accounts.role_grant_first_inspector(user=user, reason=options["reason"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        except Conflict as error:
            raise CommandError(error.detail) from None
        self.stdout.write(f"{grant.user.username} is now an inspector; their one-time password link:")
        self.stdout.write(accounts.password_link(grant.user))
