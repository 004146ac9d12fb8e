from django.urls import path

from omnicanal.routing import answers_views, queue_views, views

app_name = "routing"

urlpatterns = [
    path("presence/", views.presence, name="presence"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("supervisor/reassign/", views.reassign, name="reassign"),
    path("settings/answers/", answers_views.answers_page, name="answers"),
    path("settings/answers/canned/new/", answers_views.canned_reply_form, name="canned_new"),
    path("settings/answers/canned/<int:canned_id>/", answers_views.canned_reply_form,
         name="canned_edit"),
    path("settings/answers/canned/<int:canned_id>/delete/", answers_views.canned_reply_delete,
         name="canned_delete"),
    path("settings/answers/macros/new/", answers_views.macro_form, name="macro_new"),
    path("settings/answers/macros/<int:macro_id>/", answers_views.macro_form, name="macro_edit"),
    path("settings/answers/macros/<int:macro_id>/delete/", answers_views.macro_delete,
         name="macro_delete"),
    path("settings/answers/rules/<int:rule_id>/active/", answers_views.rule_toggle,
         name="rule_toggle"),
    path("conversations/<int:conversation_id>/queue/", queue_views.queue_badge,
         name="queue_badge"),
]
