from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("档案")

    def ready(self) -> None:
        from archive import services
        from trading import hooks

        hooks.register("status_changed", services.release_on_commit)
