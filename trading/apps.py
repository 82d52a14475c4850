from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradingConfig(AppConfig):
    name = "trading"
    verbose_name = _("交易")

    def ready(self) -> None:
        from audit import sealing
        from trading.selectors import sealed_ledger_entries

        sealing.register(sealed_ledger_entries)  # registrants stay unnamed in the ledger's readers until the deadline
