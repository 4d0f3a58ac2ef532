"""Publishing pages (issue 19). (Included by the project's urls.py.)"""

from django.urls import path

from civicsocial.publishing import views

urlpatterns = [
    path("posts/", views.draft_list, name="draft-list"),
    path("posts/new/", views.draft_new, name="draft-new"),
    path("posts/preview/", views.draft_preview, name="draft-preview"),
    path("posts/queue/", views.approval_queue, name="approval-queue"),
    path("posts/calendar/", views.publishing_calendar, name="publishing-calendar"),
    path("posts/<int:pk>/", views.draft_detail, name="draft-detail"),
    path("posts/<int:pk>/edit/", views.draft_edit, name="draft-edit"),
    path("posts/<int:pk>/act/", views.draft_act, name="draft-act"),
    path("agencies/<slug:slug>/posts.ics", views.calendar_feed, name="calendar-feed"),
    path("accounts/<int:pk>/approval-chain/", views.approval_chain, name="approval-chain"),
]
