"""Background work of the knowledge base."""

from __future__ import annotations

from django_tasks import task

from omnicanal.knowledge import importing


@task()
def run_import(run_id: int) -> str:
    """Run a queued import (see `knowledge.importing.run_import`); safe to run twice."""
    run = importing.run_import(run_id)
    return run.status if run is not None else "gone"
