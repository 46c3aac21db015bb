from django.urls import path

from . import opinion_views, portal_views, unit_views, views

app_name = "proposals"
urlpatterns = [
    path("unit/", views.UnitHomeView.as_view(), name="unit_home"),
    # A handling unit's proposal pages (unit_views) and the member's on /portal/ (portal_views).
    path("unit/proposals/<int:pk>/", unit_views.unit_proposal, name="unit_proposal"),
    path("unit/bulk-reply/", unit_views.unit_bulk_reply, name="unit_bulk_reply"),
    path("unit/history/", unit_views.unit_history, name="unit_history"),
    path("portal/", portal_views.portal_proposals, name="portal_proposals"),
    path("portal/new/", portal_views.portal_proposal_new, name="portal_proposal_new"),
    path("portal/similar/", portal_views.portal_similar, name="portal_similar"),
    path("portal/members/", portal_views.portal_member_search, name="portal_member_search"),
    path("portal/members/<int:pk>/", portal_views.portal_member_pick, name="portal_member_pick"),
    path("portal/<int:pk>/", portal_views.portal_proposal, name="portal_proposal"),
    path("portal/<int:pk>/edit/", portal_views.portal_proposal_edit, name="portal_proposal_edit"),
    path(
        "portal/<int:pk>/submit/",
        portal_views.portal_proposal_submit,
        name="portal_proposal_submit",
    ),
    path("portal/<int:pk>/cosign/", portal_views.portal_cosign_confirm, name="portal_cosign"),
    # Proposals (提案): the office list, the proposal page with its moves, files and Word output.
    path("", views.proposal_list, name="list"),
    path("export/", views.proposal_list_export, name="list_export"),
    path("bulk/", views.proposal_bulk, name="bulk"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/docx/", views.proposal_docx, name="docx"),
    path("<int:pk>/move/<str:move>/", views.proposal_move, name="move"),
    path("files/<int:pk>/", views.proposal_file, name="file"),
    path("reply-files/<int:pk>/", views.reply_file, name="reply_file"),
    path(
        "sessions/<int:session_pk>/compilation/",
        views.proposal_compilation,
        name="compilation",
    ),
    # Public-opinion reports (社情民意): the office's pages and the member's portal pages.
    path("opinions/", opinion_views.opinion_list, name="opinion_list"),
    path("opinions/export/", opinion_views.opinion_list_export, name="opinion_list_export"),
    path("opinions/new/", opinion_views.opinion_create, name="opinion_create"),
    path("opinions/<int:pk>/", opinion_views.opinion_detail, name="opinion_detail"),
    path("opinions/<int:pk>/<str:move>/", opinion_views.opinion_move, name="opinion_move"),
    path("portal/opinions/", opinion_views.portal_opinions, name="portal_opinions"),
    path("portal/opinions/new/", opinion_views.portal_opinion_submit, name="portal_opinion_submit"),
]
