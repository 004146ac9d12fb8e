"""Background work of the assistant."""

from __future__ import annotations

from django_tasks import task


@task()
def retrain_triage(requested_by: str = "task") -> int:
    """Train the triage classifier on the baseline and the team's labelled conversations;
    returns the new TriageModel's id (active only if not worse than the one in use)."""
    from omnicanal.assistant.training import train

    return train(requested_by).pk
