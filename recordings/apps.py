from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordingsConfig(AppConfig):
    name = "recordings"
    verbose_name = _("现场录像")

    def ready(self) -> None:
        from recordings import services
        from trading import hooks

        hooks.register("complaint_opened", services.on_complaint_opened)
        hooks.register("legal_hold_released", services.on_legal_hold_released)
