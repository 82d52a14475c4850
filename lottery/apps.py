from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LotteryConfig(AppConfig):
    name = "lottery"
    verbose_name = _("随机抽取")

    def ready(self) -> None:
        from lottery import services
        from trading import hooks

        hooks.register("published", services.commit_for_project)
        hooks.register("closed", services.freeze_candidates)
