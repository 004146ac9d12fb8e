"""The bot's background work (beside the triage's `assistant.tasks`)."""

from __future__ import annotations

from django_tasks import task


@task()
def answer_message_task(message_id: int) -> bool:
    """The bot's answer to one customer message when a language model phrases it (see
    `assistant.bot.handle_message_created`). Runs once per message whatever the retries:
    the bot's turn is claimed in the transaction of its reply."""
    from omnicanal.assistant.bot import answer_message

    return answer_message(message_id)
