"""`omnicanal reindex_knowledge`: rebuild retrieval's chunks of every article and resolved
conversation (after changing the encoder, or to repair the index). Unchanged chunks keep
their vectors; `--full` embeds everything again."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Rebuild the knowledge retrieval index (article chunks and resolved conversations)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true",
                            help="Embed every chunk again, even unchanged ones.")

    def handle(self, *args: Any, **options: Any) -> None:
        from omnicanal.knowledge.models import KnowledgeChunk
        from omnicanal.knowledge.vectors_store import reindex_all

        started = time.monotonic()
        if options["full"]:
            KnowledgeChunk.objects.all().delete()
        done = reindex_all()
        self.stdout.write(
            f"{done['articles']} articles, {done['conversations']} conversations, "
            f"{done['embedded']} chunks embedded, {done['removed']} stale removed "
            f"in {time.monotonic() - started:.1f} s."
        )
