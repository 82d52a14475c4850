"""PDF records of the archive: pure layout fed plain data, no Django."""

from archive.pdf.document import ELECTRONIC_SIGNATURES, canonical_json, content_digest
from archive.pdf.records import (
    build_announcement,
    build_attendance_sheet,
    build_auction_result,
    build_award_notice,
    build_bid_opening_record,
    build_draw_record,
    build_evaluation_report,
    build_followup_report,
    build_registration_list,
)

__all__ = [
    "ELECTRONIC_SIGNATURES",
    "build_announcement", "build_attendance_sheet", "build_auction_result", "build_award_notice", "build_bid_opening_record",
    "build_draw_record", "build_evaluation_report", "build_followup_report", "build_registration_list",
    "canonical_json", "content_digest",
]
