from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("开标评标")

    def ready(self) -> None:
        from evaluation import selectors
        from evaluation.services import bids, evaluating
        from trading import hooks

        hooks.register("published", bids.bid_box_prepare)
        hooks.register("is_party", selectors.is_party)
        hooks.register("next_in_line", evaluating.candidate_after_lapse)
