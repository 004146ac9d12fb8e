"""The channel registry is the only map from a channel kind to what the channel does."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from omnicanal.connectors.base import BaseAdapter, ChannelSettings
from omnicanal.connectors.registry import ADAPTERS, adapter_for, channel_choices, channel_kinds
from omnicanal.conversations.models import ChannelKind

CONNECTORS = Path(__file__).resolve().parents[1]
PACKAGE = CONNECTORS.parent


def test_every_channel_kind_an_inbox_can_have_has_an_adapter() -> None:
    assert set(channel_kinds()) == set(ChannelKind.values)
    for kind in ChannelKind.values:
        adapter = adapter_for(kind)
        assert adapter.kind == kind
        assert issubclass(adapter.settings_schema, ChannelSettings)


def test_an_unknown_channel_has_no_adapter() -> None:
    with pytest.raises(LookupError, match="'fax'"):
        adapter_for("fax")


def test_forms_list_the_registrys_channels_with_their_labels() -> None:
    assert channel_choices() == [(kind, str(ChannelKind(kind).label)) for kind in ADAPTERS]


def test_only_the_channels_with_a_window_restrict_free_form_replies() -> None:
    windowed = {kind for kind in channel_kinds() if adapter_for(kind).has_reply_window}
    assert windowed == {"whatsapp", "messenger", "instagram"}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_adapter_modules_do_not_import_one_another() -> None:
    # Shared code lives in shared modules (messaging, a provider's client), not in another
    # channel's adapter.
    adapter_modules = {path.rpartition(".")[0] for path in ADAPTERS.values()}
    for module in adapter_modules:
        path = PACKAGE.parent / (module.replace(".", "/") + ".py")
        imported = _imported_modules(path)
        others = {m for m in imported for a in adapter_modules if a != module and m.startswith(a)}
        assert not others, f"{module} imports {others}"


# `channel == "email"`, `channel in ("sms", ...)`, `ChannelKind.WEBCHAT` compared...
_NAME_TEST = re.compile(
    r"""(==|!=|\bin\b)\s*[\(\[{]?\s*(ChannelKind\.[A-Z]+|["'](api|email|webchat|sms|whatsapp|"""
    r"""messenger|instagram|telegram|voice)["'])"""
)


def test_shared_code_asks_adapters_instead_of_testing_channel_names() -> None:
    shared = [
        path for path in CONNECTORS.glob("*.py")
    ] + list((PACKAGE / "web").rglob("*.py")) + list((PACKAGE / "knowledge").rglob("*.py"))
    shared += list((PACKAGE / "web" / "templates").rglob("*.html"))
    offending = []
    for path in shared:
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if _NAME_TEST.search(line):
                offending.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert offending == []


def test_an_adapter_without_media_refuses_to_fetch_for_good() -> None:
    from omnicanal.connectors.base import SendError

    adapter = adapter_for("api")
    assert isinstance(adapter, BaseAdapter)
    with pytest.raises(SendError) as refused:
        adapter.fetch_media("https://cdn.example/x", {}, 1000)
    assert refused.value.is_permanent


def test_replies_through_another_channel_go_to_channels_with_global_addresses() -> None:
    from omnicanal.connectors.registry import reply_channel_kinds

    # Messenger, Instagram and Telegram ids belong to one page or bot: never offered.
    assert reply_channel_kinds() == {
        "email": ("email",), "sms": ("phone",), "whatsapp": ("whatsapp", "phone"),
    }
