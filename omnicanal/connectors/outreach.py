"""Starting a conversation with a contact, as the channels allow it: which of our inboxes
can write first (their adapter's `can_start_conversation`), to which of the contact's
identities (the adapter's `recipient_kinds`), with a subject where the channel has one, and
with an approved template where a reply window rules (always closed for a new
conversation). `omnicanal.conversations.outreach.start_conversation` writes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User
from omnicanal.connectors.message_templates import (
    TEMPLATE_METADATA,
    MessageTemplate,
    clean_variable,
)
from omnicanal.connectors.registry import adapter_for
from omnicanal.contacts.models import Contact, Identity
from omnicanal.conversations import outreach
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.core.exceptions import InvalidField


@dataclass(frozen=True)
class StartChannel:
    """One inbox that can write first to the contact, and how."""

    inbox: Inbox
    identities: list[Identity]
    has_subject: bool
    # Only a template may open the conversation (the channel's reply window is closed).
    needs_template: bool
    templates: list[MessageTemplate]

    @property
    def is_usable(self) -> bool:
        return bool(self.identities) and (bool(self.templates) or not self.needs_template)


def start_channels(contact: Contact) -> list[StartChannel]:
    """Every active inbox whose channel can start a conversation and reach one of the
    contact's deliverable identities, by name."""
    identities = list(
        contact.identities.filter(is_undeliverable=False).order_by("-is_verified", "kind", "value")
    )
    channels = []
    for inbox in Inbox.objects.filter(is_active=True).order_by("name", "pk"):
        try:
            adapter = adapter_for(inbox.channel)
        except LookupError:
            continue
        if not adapter.can_start_conversation:
            continue
        kinds = [str(kind) for kind in adapter.recipient_kinds]
        reachable: list[Identity] = []
        values: set[str] = set()
        for kind in kinds:
            for identity in identities:
                # A number stored as phone and as WhatsApp is offered once.
                if identity.kind == kind and identity.value not in values:
                    values.add(identity.value)
                    reachable.append(identity)
        channels.append(StartChannel(
            inbox=inbox,
            identities=reachable,
            has_subject=adapter.has_subject,
            needs_template=adapter.has_reply_window,
            templates=adapter.message_templates(inbox.settings),
        ))
    return channels


def start_conversation(
    user: User,
    contact: Contact,
    *,
    inbox_id: int,
    identity_id: int,
    subject: str = "",
    text: str = "",
    template_key: str = "",
    variables: Sequence[str] = (),
) -> Conversation:
    """Write first to the contact through the inbox chosen: the text (and subject), or on a
    channel with a reply window the approved template with its variables filled in (the
    message's text is then the template as the customer reads it)."""
    channel = next((c for c in start_channels(contact) if c.inbox.pk == inbox_id), None)
    if channel is None:
        raise InvalidField("inbox", _("This inbox cannot start a conversation."))
    if identity_id not in {identity.pk for identity in channel.identities}:
        raise InvalidField("identity", _("This inbox cannot reach that address."))
    metadata = {}
    if channel.needs_template:
        template = next((t for t in channel.templates if t.key == template_key), None)
        if template is None:
            raise InvalidField("template", _("Choose an approved template."))
        values = [clean_variable(value) for value in variables][: template.variable_count]
        if len(values) < template.variable_count or not all(values):
            raise InvalidField("variables", _("Fill in every variable of the template."))
        text = template.render(values)
        metadata[TEMPLATE_METADATA] = {"key": template.key, "variables": values}
    return outreach.start_conversation(
        user, contact_id=contact.pk, inbox=channel.inbox, identity_id=identity_id,
        subject=subject if channel.has_subject else "", text=text, metadata=metadata,
    )
