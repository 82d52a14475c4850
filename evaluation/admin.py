"""Read-only admin with history for the evaluation records: every change goes through evaluation.services (the
rules and the ledger), so the admin shows and never edits. Sealed material (envelopes, shares, secrets) is left
out of the pages."""

from django.contrib import admin

from evaluation.models import (
    Auction,
    AuctionBid,
    Bid,
    BidRound,
    Candidate,
    Expert,
    Objection,
    Panel,
    PanelMember,
)
from trading.admin import ReadOnlyCentreAdmin as ReadOnlyAdmin


@admin.register(Expert)
class ExpertAdmin(ReadOnlyAdmin):
    list_display = ["name", "specialty", "employer", "available"]
    list_filter = ["specialty", "available"]
    search_fields = ["name"]


@admin.register(BidRound)
class BidRoundAdmin(ReadOnlyAdmin):
    list_display = ["project", "round", "opens_at", "bid_count", "opened_at"]
    exclude = ["sealed_shares"]


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ["project", "bidder", "state", "submitted_at", "price", "valid"]
    list_filter = ["state", "valid"]
    exclude = ["envelope"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["project", "stage", "raised_by", "raised_at", "answered_at"]


@admin.register(Panel)
class PanelAdmin(ReadOnlyAdmin):
    list_display = ["project", "specialty", "size", "drawn_at", "ended_at"]
    exclude = ["sealed_secret"]


@admin.register(PanelMember)
class PanelMemberAdmin(ReadOnlyAdmin):
    list_display = ["panel", "rank", "expert", "state", "submitted_at"]


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ["project", "rank", "bid", "total", "state"]


@admin.register(Auction)
class AuctionAdmin(ReadOnlyAdmin):
    list_display = ["project", "starting_price", "increment", "hammer_price", "winner", "outcome"]


@admin.register(AuctionBid)
class AuctionBidAdmin(ReadOnlyAdmin):
    list_display = ["auction", "seq", "bidder_number", "amount", "at"]
