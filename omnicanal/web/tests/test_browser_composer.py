"""The composer in a real browser: a draft survives a reload, the Note tab adds a note, an
emoji goes in at the caret, the send key follows the agent's preference, the formatting
buttons write what the e-mail will show; no accessibility problem; screenshots in French
and English at both window sizes."""

from __future__ import annotations

import re
from typing import Any

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Direction, Draft, Inbox, Message
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
    log_in,
    screenshot,
    wait_until_live,
)
from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

pytestmark = BROWSER_MARKS


def test_an_agent_drafts_notes_inserts_an_emoji_and_sends_with_their_key(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, email_inbox: Inbox
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    server = asgi_live_server
    agent.signatures = {"email": "Bob Agent\nService client"}
    agent.save()
    conversation_id = ingest(email_inbox, inbound("<m-1@example.fr>")).conversation_id
    url = f"{server.url}/conversations/{conversation_id}/"
    log_in(page, server, "bob@example.com", "pw-bob-123")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(url)
    wait_until_live(page)
    box = page.locator("#reply-text")
    timeline = page.locator("#timeline")

    # At rest the composer is a compact strip under the messages.
    height = page.locator(".composer").bounding_box()["height"]
    screenshot(page, "composer-rest")
    assert height <= 150, height
    expect(page.locator(".composer-signature")).to_contain_text("Service client")

    # A draft, saved while typing, is back after a reload.
    box.click()
    box.press_sequentially("Bonjour Jeanne, je regarde")
    expect(page.locator("#draft-status")).not_to_be_empty()
    page.reload()
    wait_until_live(page)
    expect(box).to_have_value("Bonjour Jeanne, je regarde")

    # An emoji from the picker (found by a French word) goes in at the caret.
    box.focus()
    page.evaluate("() => document.getElementById('reply-text').setSelectionRange(7, 7)")
    page.click("#emoji-button")
    expect(page.locator("#emoji-picker")).to_be_visible()
    assert accessibility_problems(page, "composer with the emoji picker") == []
    screenshot(page, "composer-emoji")
    page.fill("#emoji-search", "merci")
    page.locator(".emoji-option").first.click()
    expect(page.locator("#emoji-picker")).to_be_hidden()
    expect(box).to_have_value("Bonjour🙏 Jeanne, je regarde")
    expect(box).to_be_focused()

    # Files: the paperclip's input (the media part of issue 14 puts it in the form), paste
    # and drop all land in it, shown as chips that can be removed.
    files = page.locator("form[data-composer] input[type=file][name=attachments]")
    if files.count():
        expect(page.locator("#attach-button")).to_be_visible()
        files.set_input_files([{"name": "facture.pdf", "mimeType": "application/pdf",
                                "buffer": b"%PDF-1.4 facture"}])
        page.evaluate("""() => {
            const box = document.getElementById('reply-text');
            const pasted = new DataTransfer();
            pasted.items.add(new File(['png'], 'capture.png', {type: 'image/png'}));
            box.dispatchEvent(new ClipboardEvent('paste', {clipboardData: pasted, bubbles: true}));
            const dropped = new DataTransfer();
            dropped.items.add(new File(['txt'], 'notes.txt', {type: 'text/plain'}));
            document.querySelector('[data-drop-zone]').dispatchEvent(
                new DragEvent('drop', {dataTransfer: dropped, bubbles: true, cancelable: true}));
        }""")
        chips = page.locator(".composer-file")
        expect(chips).to_have_count(3)
        expect(chips.first).to_contain_text("facture.pdf")
        screenshot(page, "composer-files")
        page.get_by_role("button", name=re.compile("capture.png")).click()
        expect(chips).to_have_count(2)
        assert files.evaluate("input => [...input.files].map(f => f.name)") == [
            "facture.pdf", "notes.txt"]
        # A note never carries them: on the Note tab they are neither shown nor posted.
        page.click("#composer-tab-note")
        expect(chips.first).to_be_hidden()
        assert files.is_disabled()
        page.click("#composer-tab-reply")
        expect(chips).to_have_count(2)
        files.set_input_files([])
        expect(chips).to_have_count(0)

    # The formatting buttons (e-mail) wrap the selection in what becomes <strong>.
    page.evaluate("() => document.getElementById('reply-text').setSelectionRange(0, 7)")
    page.click("[data-format=bold]")
    expect(box).to_have_value("**Bonjour**🙏 Jeanne, je regarde")

    # The Note tab: the same box, yellow, posting an internal note.
    box.fill("")
    page.click("#composer-tab-note")
    expect(page.locator("form[data-composer]")).to_have_class(re.compile(r"\bis-note\b"))
    expect(page.locator(".composer-signature")).to_be_hidden()
    box.press_sequentially("Client fidèle : proposer un geste")
    screenshot(page, "composer-note")
    box.press("Control+Enter")
    expect(timeline.locator(".message-note")).to_contain_text("Client fidèle : proposer un geste")
    expect(box).to_have_value("")

    # Ctrl+Enter preference (the default): Enter adds a line, Ctrl+Enter sends.
    page.click("#composer-tab-reply")
    box.press_sequentially("Votre colis est parti.")
    box.press("Enter")
    box.press_sequentially("Bonne journée")
    expect(box).to_have_value("Votre colis est parti.\nBonne journée")
    box.press("Control+Enter")
    expect(timeline.locator(".message-outgoing").last).to_contain_text("Bonne journée")
    expect(box).to_have_value("")

    # The agent chooses Enter on their profile: Shift+Enter adds a line, Enter sends.
    page.goto(f"{server.url}/profile/")
    page.select_option("#id_send_shortcut", "enter")
    page.click("#profile-save")
    page.goto(url)
    wait_until_live(page)
    expect(page.locator("form[data-composer]")).to_have_attribute("data-send-with", "enter")
    box.click()
    box.press_sequentially("Merci **beaucoup**")
    box.press("Shift+Enter")
    box.press_sequentially("À bientôt")
    expect(box).to_have_value("Merci **beaucoup**\nÀ bientôt")
    box.press("Enter")
    expect(timeline.locator(".message-outgoing").last).to_contain_text("À bientôt")
    # On e-mail the asterisks became bold, shown sanitised.
    expect(timeline.locator(".message-rich strong").last).to_have_text("beaucoup")
    expect(box).to_have_value("")
    assert not Draft.objects.filter(author=agent).exists()
    sent = Message.objects.filter(conversation_id=conversation_id, direction=Direction.OUTGOING)
    assert sent.count() == 2

    # Nothing left in the box after the sends: no draft comes back.
    page.reload()
    wait_until_live(page)
    expect(box).to_have_value("")
    assert accessibility_problems(page, "conversation with the composer") == []

    english = english_strings()
    problems: list[str] = []
    for language in in_each_language(page, server, agent, "pw-bob-123"):
        page.goto(url)
        wait_until_live(page)
        box.click()
        box.press_sequentially("Bonjour Jeanne, votre colis arrive demain.")
        problems += check_page(page, language, "composer", english)
        page.click("#composer-tab-note")
        problems += check_page(page, language, "composer-note", english)
        page.click("#composer-tab-reply")
    assert problems == []
