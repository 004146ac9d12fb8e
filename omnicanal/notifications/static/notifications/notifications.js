// The bell (live unread count, dropdown), browser notifications once the agent allows them,
// and @mention suggestions in the note box. Pushes arrive on the workspace socket that
// app.js opens ("omnicanal:event" on document). Texts come from data attributes.
(function () {
  "use strict";

  var root = document.getElementById("notifications");
  if (!root) return;
  var bell = document.getElementById("notification-bell");
  var count = document.getElementById("notification-count");
  var panel = document.getElementById("notification-panel");

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function setCount(value) {
    var number = Math.max(0, parseInt(value, 10) || 0);
    count.dataset.unreadCount = String(number);
    count.firstChild.nodeValue = String(number);
    count.hidden = number === 0;
  }

  // The dropdown: the bell stays a link to the full page for anyone without this script.

  function isOpen() {
    return !panel.hidden;
  }

  function loadPanel() {
    return window.fetch(root.dataset.listUrl, {
      credentials: "same-origin",
      headers: { "HX-Request": "true" }
    }).then(function (response) {
      if (!response.ok) throw new Error("notifications " + response.status);
      return response.text();
    }).then(function (html) {
      panel.innerHTML = html;
      if (window.htmx) window.htmx.process(panel);
      showPermissionButtons(panel);
    });
  }

  function openPanel() {
    bell.setAttribute("aria-expanded", "true");
    panel.hidden = false;
    loadPanel().then(function () {
      var first = panel.querySelector(".notification-open") || panel.querySelector("a, button");
      if (first) first.focus();
    }).catch(function () { closePanel(); window.location.assign(bell.href); });
  }

  function closePanel(returnFocus) {
    bell.setAttribute("aria-expanded", "false");
    panel.hidden = true;
    if (returnFocus) bell.focus();
  }

  bell.addEventListener("click", function (event) {
    event.preventDefault();
    if (isOpen()) closePanel(false); else openPanel();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !isOpen()) return;
    var active = document.activeElement;
    // From inside the dropdown (or nowhere: a button that hid itself), the focus goes back to
    // the bell; from a field elsewhere, app.js still gets the key to leave the field.
    var isOurs = !active || active === document.body || root.contains(active);
    closePanel(isOurs);
    if (isOurs) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    if (isOpen() && !root.contains(event.target)) closePanel(false);
  });

  // Browser notifications: asked for only when the agent clicks the button, never on load.

  function canNotify() {
    return "Notification" in window;
  }

  function showPermissionButtons(scope) {
    var status = document.querySelector("[data-browser-permission-status]");
    scope.querySelectorAll("[data-browser-permission]").forEach(function (spot) {
      spot.hidden = !canNotify() || Notification.permission !== "default";
    });
    if (status && canNotify()) {
      if (Notification.permission === "granted") status.textContent = root.dataset.textPermissionGranted;
      else if (Notification.permission === "denied") status.textContent = root.dataset.textPermissionDenied;
      else status.textContent = "";
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-enable-browser-notifications]");
    if (!button || !canNotify()) return;
    Notification.requestPermission().then(function () { showPermissionButtons(document); });
  });

  function openThroughServer(url) {
    // The notification's own endpoint marks it read and answers with the conversation.
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      window.location.assign(response.url);
    }).catch(function () { /* the bell still has it */ });
  }

  function pop(event) {
    if (!event.is_browser || !canNotify() || Notification.permission !== "granted") return;
    // The agent looking at the workspace sees the bell; only another tab or window pops.
    if (!document.hidden) return;
    var shown = new Notification(root.dataset.textTitle, {
      body: event.text,
      // One per conversation on the desktop: a newer one replaces the older.
      tag: event.conversation_id ? "omnicanal-conversation-" + event.conversation_id : undefined
    });
    shown.addEventListener("click", function () {
      window.focus();
      shown.close();
      openThroughServer(event.url);
    });
  }

  document.addEventListener("omnicanal:event", function (custom) {
    var event = custom.detail || {};
    if (event.kind !== "notification.created" && event.kind !== "notification.read") return;
    setCount(event.unread_count);
    if (event.kind === "notification.created") {
      pop(event);
      if (isOpen()) loadPanel().catch(function () { /* shown on the next opening */ });
    }
  });

  showPermissionButtons(document);

  // @mentions in the note box: a listbox of agents under the field, driven by the keyboard
  // (arrows, Enter or Tab to choose, Escape to close) or the mouse.

  // Once per note box: a conversation opened beside the list brings its own
  // (app.js's "omnicanal:conversation-opened"). The composer's one box (its Note tab), or a
  // page's own note box.
  watchNote();
  document.addEventListener("omnicanal:conversation-opened", watchNote);

  function watchNote() {
  var note = document.getElementById("note-text") || document.getElementById("reply-text");
  if (!note || note.dataset.mentionsWatched) return;
  note.dataset.mentionsWatched = "1";
  var listbox = document.createElement("ul");
  listbox.id = "mention-suggestions";
  listbox.className = "mention-suggestions";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", root.dataset.textSuggestions);
  listbox.hidden = true;
  note.insertAdjacentElement("afterend", listbox);
  note.setAttribute("aria-autocomplete", "list");
  note.setAttribute("aria-controls", listbox.id);
  // No aria-expanded: a textarea (role textbox) may not carry it (axe: aria-allowed-attr).

  var options = [];
  var active = -1;
  var query = null;
  var requestNumber = 0;

  function mentionBeforeCaret() {
    // "@" at the start or after a space, then up to two words (first and last name).
    var before = note.value.slice(0, note.selectionStart);
    var match = /(^|\s)@([^\s@]*(?: [^\s@]*)?)$/.exec(before);
    if (!match) return null;
    return { text: match[2], start: before.length - match[2].length - 1 };
  }

  function closeSuggestions() {
    listbox.hidden = true;
    listbox.innerHTML = "";
    options = [];
    active = -1;
    query = null;
    note.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    options.forEach(function (option, i) {
      option.element.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0) note.setAttribute("aria-activedescendant", options[index].element.id);
    else note.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    var mention = mentionBeforeCaret();
    var agent = options[index];
    if (!mention || !agent) { closeSuggestions(); return; }
    var inserted = "@" + agent.name + " ";
    var caret = note.selectionStart;
    note.value = note.value.slice(0, mention.start) + inserted + note.value.slice(caret);
    var position = mention.start + inserted.length;
    note.setSelectionRange(position, position);
    closeSuggestions();
    note.focus();
  }

  function showSuggestions(agents) {
    listbox.innerHTML = "";
    options = agents.map(function (agent, index) {
      var element = document.createElement("li");
      element.id = "mention-option-" + agent.id;
      element.setAttribute("role", "option");
      element.textContent = agent.name;
      element.addEventListener("mousedown", function (event) {
        // Keep the focus (and the caret) in the note while choosing with the mouse.
        event.preventDefault();
        choose(index);
      });
      listbox.appendChild(element);
      return { id: agent.id, name: agent.name, element: element };
    });
    if (!options.length) { closeSuggestions(); return; }
    listbox.hidden = false;
    highlight(0);
  }

  function suggest() {
    // Mentions are for notes: not while the composer is on its Reply tab.
    if (note.form && note.form.dataset.mode && note.form.dataset.mode !== "note") {
      closeSuggestions();
      return;
    }
    var mention = mentionBeforeCaret();
    if (!mention) { closeSuggestions(); return; }
    if (mention.text === query) return;
    query = mention.text;
    var number = ++requestNumber;
    var url = root.dataset.agentsUrl + "?q=" + encodeURIComponent(mention.text);
    window.fetch(url, { credentials: "same-origin" }).then(function (response) {
      return response.json();
    }).then(function (data) {
      // An older answer arriving after a newer one is dropped.
      if (number === requestNumber && mentionBeforeCaret()) showSuggestions(data.agents || []);
    }).catch(function () { closeSuggestions(); });
  }

  note.addEventListener("input", suggest);
  note.addEventListener("blur", closeSuggestions);
  note.addEventListener("keydown", function (event) {
    if (listbox.hidden) return;
    var handled = true;
    if (event.key === "ArrowDown") highlight((active + 1) % options.length);
    else if (event.key === "ArrowUp") highlight((active - 1 + options.length) % options.length);
    else if ((event.key === "Enter" || event.key === "Tab") && !event.ctrlKey && !event.metaKey && active >= 0) choose(active);
    else if (event.key === "Escape") closeSuggestions();
    else handled = false;
    if (handled) {
      // Not a new line, not app.js's Escape (which leaves the field).
      event.preventDefault();
      event.stopPropagation();
    }
  });
  note.form && note.form.addEventListener("reset", closeSuggestions);
  }
})();
