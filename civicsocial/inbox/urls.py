"""The inbox: items, states, referrals, moderation proposals, the review clock.
(Included by the project's urls.py.)"""

from django.urls import path

from civicsocial.inbox import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/reviews/", views.review_clock, name="inbox-reviews"),
    path("inbox/proposals/", views.proposals, name="inbox-proposals"),
    path("inbox/proposals/<int:pk>/decide/", views.proposal_decide,
         name="inbox-proposal-decide"),
    path("inbox/proposals/<int:pk>/retry/", views.proposal_retry,
         name="inbox-proposal-retry"),
    path("inbox/proposals/<int:pk>/restore/", views.proposal_restore,
         name="inbox-proposal-restore"),
    path("inbox/accounts/<int:pk>/reviewed/", views.account_reviewed,
         name="inbox-account-reviewed"),
    path("inbox/<int:pk>/", views.entry_detail, name="inbox-entry"),
    path("inbox/<int:pk>/state/", views.entry_state, name="inbox-state"),
    path("inbox/<int:pk>/refer/", views.entry_refer, name="inbox-refer"),
    path("inbox/<int:pk>/propose/", views.entry_propose, name="inbox-propose"),
]
