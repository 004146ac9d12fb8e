// The copilot tab beside the customer panel: switching tabs (remembered for the next
// conversation), "Insert" and "Suggest a reply" putting text into the composer through its
// hook (window.omnicanalComposer), never sending. Texts come from data attributes; user data
// is only ever set as textContent or as the composer's text.
(function () {
  "use strict";
  // The pane brings this script with each conversation: set up once, by delegation.
  if (window.omnicanalCopilot) { window.omnicanalCopilot.apply(); return; }
  var KEY = "omnicanal.side-tab";

  function stored() {
    try { return window.localStorage.getItem(KEY) || "customer"; } catch (e) { return "customer"; }
  }

  function show(tab, focus) {
    var view = document.querySelector(".conversation-view");
    if (!view || !view.querySelector(".side-tabs")) return;
    view.classList.toggle("shows-copilot", tab === "copilot");
    view.querySelectorAll("[data-side-tab]").forEach(function (button) {
      var selected = button.dataset.sideTab === tab;
      button.setAttribute("aria-selected", selected ? "true" : "false");
      button.tabIndex = selected ? 0 : -1;
      if (selected && focus) button.focus();
    });
  }

  function apply() { show(stored(), false); }

  function say(text) {
    var status = document.getElementById("copilot-status");
    if (status) status.textContent = text;
  }

  function insert(text) {
    var composer = window.omnicanalComposer;
    var box = document.getElementById("reply-text");
    if (!composer || !box) return false;
    if (box.value.trim() && box.selectionStart === box.value.length) text = "\n\n" + text;
    composer.insert(text);
    return true;
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : null;
    if (!target) return;
    var tab = target.closest("[data-side-tab]");
    if (tab) {
      try { window.localStorage.setItem(KEY, tab.dataset.sideTab); } catch (e) { /* private mode */ }
      show(tab.dataset.sideTab, false);
      return;
    }
    var panel = target.closest(".copilot");
    if (!panel) return;
    var insertButton = target.closest("[data-copilot-insert]");
    if (insertButton) {
      if (insert(insertButton.dataset.text)) say(panel.dataset.textInserted);
      return;
    }
    var replyButton = target.closest("[data-copilot-reply]");
    if (replyButton) suggestReply(panel, replyButton);
  });

  // Arrow keys move between the two tabs (the ARIA tabs pattern).
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[data-side-tab]");
    if (!tab || (event.key !== "ArrowLeft" && event.key !== "ArrowRight")) return;
    event.preventDefault();
    var next = tab.dataset.sideTab === "copilot" ? "customer" : "copilot";
    try { window.localStorage.setItem(KEY, next); } catch (e) { /* private mode */ }
    show(next, true);
  });

  function suggestReply(panel, button) {
    var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    var body = new FormData();
    panel.querySelectorAll("[data-passage-key]").forEach(function (item) {
      body.append("passage", item.dataset.passageKey);
    });
    button.disabled = true;
    say(panel.dataset.textWorking);
    fetch(panel.dataset.replyUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" }
    }).then(function (response) {
      if (response.status === 404) return { text: "" };
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (answer) {
      if (!answer.text) { say(panel.dataset.textNothing); return; }
      if (insert(answer.text)) say(panel.dataset.textFilled);
    }).catch(function () {
      say(panel.dataset.textFailed);
    }).finally(function () {
      button.disabled = false;
    });
  }

  window.omnicanalCopilot = { apply: apply, show: show };
  document.addEventListener("omnicanal:conversation-opened", apply);
  document.addEventListener("DOMContentLoaded", apply);
  apply();
})();
