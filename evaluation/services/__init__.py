"""Writes of the evaluation app (keyword-only, actor explicit): bids, opening, panels, scoring, auctions."""
