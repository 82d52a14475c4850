"""Pages and API routes of the evaluation app (the API list is mounted under /api/ by config/urls.py)."""

from django.urls import path

from evaluation import api, api_bidfiles, views, views_opening

urlpatterns = [
    path("evaluation/", views.index, name="evaluation-index"),
    path("evaluation/<str:code>/bid/", views.bid_page, name="evaluation-bid"),
    path("evaluation/<str:code>/opening/", views_opening.opening_page, name="evaluation-opening"),
    path("evaluation/<str:code>/opening/events", views_opening.opening_events, name="evaluation-opening-events"),
    path("evaluation/<str:code>/manage/", views.manage_page, name="evaluation-manage"),
    path("evaluation/<str:code>/score/", views.score_page, name="evaluation-score"),
    path("evaluation/<str:code>/bids/<int:pk>/document", views_opening.bid_document, name="evaluation-bid-document"),
    path("evaluation/<str:code>/panel-draw/", views.panel_draw_page, name="evaluation-panel-draw"),
    path("evaluation/my/panels/", views.my_panels, name="evaluation-my-panels"),
    path("evaluation/experts/", views.expert_pool, name="evaluation-experts"),
    path("candidates/<str:code>/", views.candidates_page, name="evaluation-candidates"),
    path("auction/<str:code>/", views.auction_page, name="evaluation-auction"),
]

P = "projects/<str:code>/"
api_urlpatterns = [
    path("evaluation/", views.index, name="evaluation-index"),
    path(P + "bids", api.BidsView.as_view(), name="api-bids"),
    path(P + "bids/withdraw", api.BidWithdrawView.as_view(), name="api-bid-withdraw"),
    path(P + "bids/close", api.BidCloseView.as_view(), name="api-bids-close"),
    path(P + "opening", api.OpeningView.as_view(), name="api-opening"),
    path(P + "objections", api.ObjectionsView.as_view(), name="api-objections"),
    path(P + "bids/mode", api_bidfiles.BidModeView.as_view(), name="api-bid-mode"),
    path(P + "opening-keys", api_bidfiles.OpeningKeysView.as_view(), name="api-opening-keys"),
    path(P + "bid-files", api_bidfiles.BidFilesView.as_view(), name="api-bid-files"),
    path(P + "opening/shares", api_bidfiles.OpeningSharesView.as_view(), name="api-opening-shares"),
    path(P + "opening/live", api_bidfiles.OpeningLiveView.as_view(), name="api-opening-live"),
    path(P + "opening/confirmations", api_bidfiles.OpeningConfirmationsView.as_view(),
         name="api-opening-confirmations"),
    path("objections/<int:pk>/answer", api.ObjectionAnswerView.as_view(), name="api-objection-answer"),
    path("experts", api.ExpertsView.as_view(), name="api-experts"),
    path(P + "panel", api.PanelView.as_view(), name="api-panel"),
    path(P + "panel/inputs", api.PanelInputsView.as_view(), name="api-panel-inputs"),
    path(P + "panel/draw", api.PanelDrawView.as_view(), name="api-panel-draw"),
    path(P + "panel/proof", api.PanelProofView.as_view(), name="api-panel-proof"),
    path("panel-members/<int:pk>/decline", api.MemberDeclineView.as_view(), name="api-member-decline"),
    path(P + "evaluation/plan", api.PlanView.as_view(), name="api-evaluation-plan"),
    path(P + "scores", api.ScoresView.as_view(), name="api-scores"),
    path(P + "evaluation", api.EvaluationView.as_view(), name="api-evaluation"),
    path(P + "candidates", api.CandidatesView.as_view(), name="api-candidates"),
    path(P + "candidates/award", api.AwardView.as_view(), name="api-candidates-award"),
    path("candidates/<int:pk>/withdraw", api.CandidateWithdrawView.as_view(), name="api-candidate-withdraw"),
    path(P + "auction", api.AuctionView.as_view(), name="api-auction"),
    path(P + "auction/bidders", api.AuctionBiddersView.as_view(), name="api-auction-bidders"),
    path(P + "auction/start", api.AuctionStartView.as_view(), name="api-auction-start"),
    path(P + "auction/bids", api.AuctionBidsView.as_view(), name="api-auction-bids"),
    path(P + "auction/hammer", api.AuctionHammerView.as_view(), name="api-auction-hammer"),
]
