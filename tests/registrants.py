"""An open fixed-price project with two registrants, and everything that would name one of them: before the
deadline none of it may appear in any output (招标投标法 art. 22)."""

from __future__ import annotations

from dataclasses import dataclass

from core.roles import Role
from tests import factories
from trading.models import Project, Registration, User

NAMES = ("保密甲建筑工程有限公司", "保密乙市政工程有限公司")
USERNAMES = ("mi_jia_qiye", "mi_yi_qiye")


@dataclass
class Registrants:
    project: Project
    registrations: list[Registration]
    users: list[User]

    def secrets(self) -> list[str]:
        """Each registrant's name, code, account, and the manager it named."""
        found = []
        for registration, user in zip(self.registrations, self.users, strict=True):
            found += [registration.enterprise.name, registration.enterprise.uscc, user.username,
                      registration.manager.certificate_number]
        return found

    def leaked(self, text: str) -> list[str]:
        return [secret for secret in self.secrets() if secret in text]


def open_project_with_registrants(project: Project | None = None, **data) -> Registrants:
    """Registered while the deadline is ahead; the caller moves the clock past it when a test needs that."""
    project = project or factories.fixed_price_project(**data)
    registrations, users = [], []
    for name, username in zip(NAMES, USERNAMES, strict=True):
        user = factories.user(Role.ENTERPRISE, username=username, organisation=factories.organisation(name=name))
        registrations.append(factories.register(project, user))
        users.append(user)
    return Registrants(project, registrations, users)
