from django.urls import path

from omnicanal.web import (
    composer,
    contact_pages,
    conversation_tools,
    list_toolbar,
    operations,
    profile,
    views,
)
from omnicanal.web.settings_pages import urls as settings_urls

app_name = "web"

urlpatterns = [
    path("", views.conversation_list, name="conversations"),
    path("conversations/bulk/", views.conversations_bulk, name="conversations_bulk"),
    path("search/", views.search_page, name="search"),
    path("views/saved/", list_toolbar.saved_view_create, name="saved_view_create"),
    path("views/saved/<int:saved_view_id>/rename/", list_toolbar.saved_view_rename,
         name="saved_view_rename"),
    path("views/saved/<int:saved_view_id>/delete/", list_toolbar.saved_view_delete,
         name="saved_view_delete"),
    path("profile/", profile.profile_page, name="profile"),
    path("contacts/", contact_pages.contact_list, name="contacts"),
    path("contacts/<int:contact_id>/", contact_pages.contact_detail, name="contact"),
    path("contacts/<int:contact_id>/edit/", contact_pages.contact_update, name="contact_update"),
    path(
        "contacts/<int:contact_id>/identities/", contact_pages.identity_add,
        name="contact_identity_add",
    ),
    path(
        "contacts/<int:contact_id>/identities/<int:identity_id>/remove/",
        contact_pages.identity_remove, name="contact_identity_remove",
    ),
    path("contacts/<int:contact_id>/notes/", contact_pages.note_add, name="contact_note_add"),
    path(
        "contacts/<int:contact_id>/merge/", contact_pages.contact_merge,
        name="contact_merge_with",
    ),
    path(
        "contacts/<int:contact_id>/unmerge/", contact_pages.contact_unmerge,
        name="contact_unmerge_from",
    ),
    path(
        "contacts/<int:contact_id>/new-conversation/", contact_pages.contact_new_conversation,
        name="contact_new_conversation",
    ),
    *settings_urls.urlpatterns,
    path("settings/failures/", operations.failures_page, name="failures"),
    path(
        "settings/failures/<int:run_id>/retry/", operations.failure_retry, name="failure_retry"
    ),
    # Outside any login: monitors and load balancers poll it (see operations.health).
    path("health/", operations.health, name="health"),
    path(
        "attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("conversations/<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path(
        "conversations/<int:conversation_id>/reply/",
        views.conversation_reply,
        name="conversation_reply",
    ),
    path(
        "conversations/<int:conversation_id>/note/",
        views.conversation_note,
        name="conversation_note",
    ),
    path("conversations/<int:conversation_id>/draft/", composer.conversation_draft,
         name="conversation_draft"),
    path(
        "conversations/<int:conversation_id>/assign/",
        views.conversation_assign,
        name="conversation_assign",
    ),
    path(
        "conversations/<int:conversation_id>/status/",
        views.conversation_status,
        name="conversation_status",
    ),
    path(
        "conversations/<int:conversation_id>/priority/",
        views.conversation_priority,
        name="conversation_priority",
    ),
    path(
        "conversations/<int:conversation_id>/labels/",
        views.conversation_label_add,
        name="conversation_label_add",
    ),
    path(
        "conversations/<int:conversation_id>/labels/<int:label_id>/remove/",
        views.conversation_label_remove,
        name="conversation_label_remove",
    ),
    path(
        "conversations/<int:conversation_id>/snooze/",
        views.conversation_snooze,
        name="conversation_snooze",
    ),
    path(
        "conversations/<int:conversation_id>/export/",
        conversation_tools.conversation_export,
        name="conversation_export",
    ),
    path(
        "conversations/<int:conversation_id>/merge/",
        conversation_tools.conversation_merge,
        name="conversation_merge",
    ),
    path(
        "conversations/<int:conversation_id>/transfer/",
        conversation_tools.conversation_transfer,
        name="conversation_transfer",
    ),
    path(
        "conversations/<int:conversation_id>/messages/<int:message_id>/split/",
        conversation_tools.message_split,
        name="message_split",
    ),
    path(
        "conversations/<int:conversation_id>/contact/attributes/",
        views.contact_attributes,
        name="contact_attributes",
    ),
    path(
        "conversations/<int:conversation_id>/contact/merge/",
        views.contact_merge,
        name="contact_merge",
    ),
    path(
        "conversations/<int:conversation_id>/contact/unmerge/",
        views.contact_unmerge,
        name="contact_unmerge",
    ),
]
