"""Logging pieces named by LOGGING in config/settings.py."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class DenialWithoutTraceback(logging.Filter):
    """A refused request (403: PermissionDenied) is an answer, not a fault: log its one line, not its traceback.
    The refusal itself is in the audit trail (access_denied)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, PermissionDenied) or getattr(record, "status_code", None) == 403:
            record.exc_info, record.exc_text = None, None
        return True
