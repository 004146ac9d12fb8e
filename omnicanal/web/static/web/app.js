// The workspace's live behaviour: one websocket for domain events, htmx refreshes of the
// fragments an event concerns, and a few keyboard and focus conveniences.
// Texts come from data attributes rendered (and translated) by the server.
(function () {
  "use strict";

  var body = document.body;
  var websocketPath = body.dataset.websocketPath;
  if (!websocketPath || !window.htmx) {
    return;
  }

  // Errors come back as 4xx with an alert fragment retargeted to #alerts: swap it so the
  // agent sees why, while htmx still reports the request as failed (forms keep their text).
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "4..", swap: true, error: true },
    { code: "...", swap: false, error: true }
  ];

  var connection = document.getElementById("connection");
  var announcer = document.getElementById("announcer");
  var REFRESH_DELAY_MS = 80;
  var refreshTimers = new WeakMap();
  var pendingAnnouncement = false;

  function setConnection(state) {
    if (!connection) return;
    var text = state === "live" ? body.dataset.textLive : body.dataset.textOffline;
    connection.dataset.state = state;
    // On a narrow top bar only the dot shows: the words stay in the tooltip and for screen
    // readers.
    connection.title = text;
    var words = connection.querySelector(".connection-text");
    (words || connection).textContent = text;
  }

  function announce(text) {
    if (!announcer || !text) return;
    // Emptying first makes screen readers repeat an identical announcement.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // What can move a waiting conversation's place: one ahead taken or closed, a new or
  // reprioritised one passing it.
  var QUEUE_KINDS = ["conversation.assigned", "conversation.status_changed",
    "conversation.created"];

  function movesQueues(event) {
    return QUEUE_KINDS.indexOf(event.kind) >= 0 ||
      (event.kind === "conversation.updated" && event.change === "priority");
  }

  function concerns(element, event) {
    // An agent's presence changes no conversation: only regions showing agents opt in.
    if (String(event.kind).indexOf("agent.") === 0) return "liveAgents" in element.dataset;
    if (element.dataset.live === "list") return true;
    // A place in the queue: events of other conversations (its own refresh the region
    // around it).
    if (element.dataset.live === "queue") {
      return movesQueues(event) &&
        String(event.conversation_id) !== element.dataset.conversationId;
    }
    return String(event.conversation_id) === element.dataset.conversationId ||
      String(event.contact_id) === element.dataset.contactId;
  }

  function isBusy(element) {
    // Replacing a field the agent is typing in or choosing from, or rows they have ticked
    // for a bulk change, would lose their input: wait.
    var active = document.activeElement;
    if (active && isTyping(active) && element.contains(active)) return true;
    // One of its forms is waiting for its answer, which brings the fresh fragment anyway.
    // Replaced meanwhile, the form would be detached, and htmx looks for the answer's
    // out-of-band parts (the contact panel) from the form: it would not find them.
    if (element.querySelector("form.htmx-request")) return true;
    return element.dataset.live === "list" && !!element.querySelector("input[name=ids]:checked");
  }

  // A fragment that follows every conversation's events (the place in the queue) sets
  // data-live-min-interval-ms: a surge of assignments costs it one request per interval, not
  // one per event. By id, since its own refresh replaces the element.
  var lastRefreshAt = {};

  function refreshDelay(element) {
    var interval = Number(element.dataset.liveMinIntervalMs) || 0;
    if (!interval) return REFRESH_DELAY_MS;
    return Math.max(REFRESH_DELAY_MS, (lastRefreshAt[element.id] || 0) + interval - Date.now());
  }

  function scheduleRefresh(element) {
    // A burst of events (a message and the assignment it caused) makes one request.
    if (refreshTimers.get(element)) return;
    refreshTimers.set(element, window.setTimeout(function run() {
      if (isBusy(element)) {
        refreshTimers.set(element, window.setTimeout(run, 500));
        return;
      }
      refreshTimers.delete(element);
      if (element.dataset.liveMinIntervalMs) {
        // Replaced meanwhile by the refresh of the region around it: refresh the new one.
        if (!element.isConnected) {
          var current = document.getElementById(element.id);
          if (current) scheduleRefresh(current);
          return;
        }
        lastRefreshAt[element.id] = Date.now();
      }
      // The event bubbles: a fragment inside another live region names its own, or the
      // region would refresh with it.
      htmx.trigger(element, element.dataset.liveTrigger || "omnicanal:refresh");
    }, refreshDelay(element)));
  }

  function refreshAll() {
    document.querySelectorAll("[data-live]").forEach(scheduleRefresh);
  }

  // Typing, both ways, on a web chat conversation: the customer's shows in an aria-live
  // spot of the composer; the agent's is posted (throttled) to the web chat endpoint.
  var CUSTOMER_TYPING_TIMEOUT_MS = 6000;
  var AGENT_TYPING_THROTTLE_MS = 3000;
  var AGENT_TYPING_IDLE_MS = 4000;
  var customerTypingTimer = null;

  function showCustomerTyping(isTyping) {
    var spot = document.getElementById("customer-typing");
    if (!spot) return;
    window.clearTimeout(customerTypingTimer);
    spot.textContent = isTyping ? spot.dataset.textCustomerTyping : "";
    if (isTyping) {
      customerTypingTimer = window.setTimeout(function () { spot.textContent = ""; },
        CUSTOMER_TYPING_TIMEOUT_MS);
    }
  }

  function onTyping(event) {
    var spot = document.getElementById("customer-typing");
    if (!spot || event.by !== "customer" ||
        String(event.conversation_id) !== spot.dataset.conversationId) return;
    showCustomerTyping(!!event.is_typing);
  }

  var agentTypingSentAt = 0;
  var agentIdleTimer = null;

  function postAgentTyping(form, isTyping) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var data = new URLSearchParams();
    data.set("is_typing", isTyping ? "1" : "0");
    window.fetch(form.dataset.agentTypingUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
      body: data
    }).catch(function () { /* a lost typing signal is harmless */ });
  }

  function agentStoppedTyping(form) {
    window.clearTimeout(agentIdleTimer);
    agentIdleTimer = null;
    if (!agentTypingSentAt) return;
    agentTypingSentAt = 0;
    postAgentTyping(form, false);
  }

  // Delegated: the composer arrives with each conversation opened from the list.
  function typingForm(event) {
    var target = event.target;
    return target && target.closest ? target.closest("form[data-agent-typing-url]") : null;
  }

  document.addEventListener("input", function (event) {
    var form = typingForm(event);
    if (!form) return;
    var now = Date.now();
    if (now - agentTypingSentAt >= AGENT_TYPING_THROTTLE_MS) {
      agentTypingSentAt = now;
      postAgentTyping(form, true);
    }
    window.clearTimeout(agentIdleTimer);
    agentIdleTimer = window.setTimeout(function () { agentStoppedTyping(form); },
      AGENT_TYPING_IDLE_MS);
  });
  document.addEventListener("submit", function (event) {
    var form = typingForm(event);
    if (form) agentStoppedTyping(form);
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = typingForm(event);
    if (form) agentStoppedTyping(form);
  });

  function onEvent(event) {
    // Who views and types (collision.js) changes no fragment either.
    if (String(event.kind).indexOf("collision.") === 0) return;
    if (event.kind === "conversation.typing") {
      // Nothing to re-read: typing changes no fragment.
      onTyping(event);
      return;
    }
    if (event.kind === "message.created" && event.direction === "incoming") {
      onTyping({ by: "customer", conversation_id: event.conversation_id, is_typing: false });
      pendingAnnouncement = true;
    }
    document.querySelectorAll("[data-live]").forEach(function (element) {
      if (concerns(element, event)) scheduleRefresh(element);
    });
  }

  var retryDelay = 500;
  var hasConnected = false;
  var currentSocket = null;

  // Other workspace scripts (collision, notifications, supervisor) share this one socket:
  // they listen for "omnicanal:event" on document and send through omnicanal.send(), and
  // "omnicanal:connected" tells them to re-announce their state after a reconnection.
  window.omnicanal = {
    send: function (payload) {
      if (currentSocket && currentSocket.readyState === WebSocket.OPEN) {
        currentSocket.send(JSON.stringify(payload));
        return true;
      }
      return false;
    },
    // A fresh form token (the composer draws one when its tab changes).
    newToken: function () { return newToken(); }
  };

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + websocketPath);
    currentSocket = socket;
    socket.addEventListener("open", function () {
      retryDelay = 500;
      setConnection("live");
      document.dispatchEvent(new CustomEvent("omnicanal:connected"));
      // Events sent while we were away are lost to this page: catch up once.
      if (hasConnected) refreshAll();
      hasConnected = true;
    });
    socket.addEventListener("message", function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      onEvent(event);
      document.dispatchEvent(new CustomEvent("omnicanal:event", { detail: event }));
    });
    socket.addEventListener("close", function () {
      setConnection("offline");
      window.setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }

  // The timeline keeps its place across refreshes: pinned to the newest message when the
  // agent was reading the end, where they were otherwise.
  var timelineState = null;

  function timeline() {
    return document.getElementById("timeline");
  }

  function scrollToEnd() {
    var element = timeline();
    if (element) element.scrollTop = element.scrollHeight;
  }

  body.addEventListener("htmx:beforeSwap", function (event) {
    // The race of isBusy the other way round: a refresh sent before one of the fragment's
    // forms would replace the form, still waiting for its (fresher) answer. Try later.
    var live = event.detail.target;
    var request = event.detail.requestConfig;
    if (live && live.dataset && live.dataset.live && request && request.elt === live &&
        isBusy(live)) {
      event.detail.shouldSwap = false;
      scheduleRefresh(live);
      return;
    }
    var element = timeline();
    if (event.detail.target && event.detail.target.id === "conversation-pane") {
      // Another conversation: nothing of this one's scroll position applies to it.
      timelineState = null;
      return;
    }
    if (element && event.detail.target && event.detail.target.contains(element)) {
      timelineState = {
        top: element.scrollTop,
        atEnd: element.scrollHeight - element.scrollTop - element.clientHeight < 40,
        incoming: element.querySelectorAll("[data-direction=incoming]").length
      };
    }
  });

  body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var element = timeline();
    if (target.id === "conversation-pane") {
      conversationOpened();
      return;
    }
    if (timelineState && element && target.contains(element)) {
      var mine = event.detail.requestConfig && event.detail.requestConfig.verb === "post";
      if (timelineState.atEnd || mine) {
        scrollToEnd();
      } else {
        element.scrollTop = timelineState.top;
      }
      if (element.querySelectorAll("[data-direction=incoming]").length > timelineState.incoming) {
        announce(body.dataset.textNewMessage);
        pendingAnnouncement = false;
      }
      timelineState = null;
    }
    if (target.id === "conversation-list") {
      markOpenRow();
      if (currentId !== null) {
        // New rows (a refresh, or the answer to a shortcut): the current one stays current,
        // and gets the focus back if it had it (the focused link left with the old rows).
        var active = document.activeElement;
        reselect(!!active && active !== body && !target.contains(active));
      }
    }
    if (target.dataset && target.dataset.live === "list" && pendingAnnouncement) {
      announce(body.dataset.textNewMessage);
      pendingAnnouncement = false;
    }
  });

  body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!event.detail.successful || !form || form.tagName !== "FORM") return;
    var alerts = document.getElementById("alerts");
    if (alerts) alerts.innerHTML = "";
    if (form.hasAttribute("data-reset-on-success")) {
      form.reset();
      // The form's idempotency token stood for what was just posted: the next message
      // needs its own, or the server would answer it with this one.
      form.querySelectorAll("input[data-idempotency-key]").forEach(function (input) {
        input.value = newToken();
      });
    }
  });

  function newToken() {
    // getRandomValues, unlike randomUUID, also works on a plain-http intranet address.
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) &&
        field.tagName === "TEXTAREA" && field.form) {
      event.preventDefault();
      field.form.requestSubmit();
    }
  });

  // Keyboard first: one letter per frequent action, never while typing in a field.
  // The list keeps a "current" row (j/k); a/e act on it through the bulk endpoint, which
  // runs the same actions (and permission checks) as the buttons of the conversation page.
  // The current row is remembered by conversation id, not position: a live refresh can
  // insert or remove rows above it (even an older answer arriving after a newer one), and
  // a shortcut must never act on a row the agent did not select.
  var currentIndex = -1;
  var currentId = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".conversation-row"));
  }

  // The three panes: the conversation open beside the list, its row marked in the list.
  function openConversationId() {
    var view = document.querySelector("#conversation-pane [data-open-conversation-id]");
    return view ? view.dataset.openConversationId : null;
  }

  function markOpenRow() {
    var openId = openConversationId();
    rows().forEach(function (row) {
      row.classList.toggle("is-open", row.dataset.conversationId === openId);
    });
  }

  function conversationOpened() {
    var main = document.getElementById("main");
    var openId = openConversationId();
    if (main) main.classList.toggle("has-conversation", openId !== null);
    markOpenRow();
    if (openId !== null) {
      var all = rows();
      var index = all.findIndex(function (row) { return row.dataset.conversationId === openId; });
      if (index >= 0) { currentIndex = index; currentId = openId; }
    }
    scrollToEnd();
    // Scripts of the conversation's parts (collision, composer...) follow the new one.
    document.dispatchEvent(new CustomEvent("omnicanal:conversation-opened",
      { detail: { conversationId: openId } }));
  }

  function openRow(row) {
    var link = row && row.querySelector(".row-contact");
    if (link) link.click();
    return !!link;
  }

  // Ctrl, Cmd or Shift + click on a row opens the conversation in a new tab or window, as
  // any link does: stopped before htmx's own listener on the link takes it over.
  document.addEventListener("click", function (event) {
    if ((event.ctrlKey || event.metaKey || event.shiftKey) && event.target.closest &&
        event.target.closest(".row-contact")) {
      event.stopPropagation();
    }
  }, true);

  // The customer panel as a drawer when the window is too narrow for three panes.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-toggle-contact-panel]");
    if (!toggle) return;
    var view = toggle.closest(".conversation-view");
    var isOpen = view.classList.toggle("is-panel-open");
    toggle.setAttribute("aria-expanded", isOpen ? "true" : "false");
    var panel = document.getElementById("contact-panel");
    if (isOpen && panel) panel.focus({ preventScroll: true });
  });

  function selectRow(index, keepFocus) {
    var all = rows();
    if (!all.length) { currentIndex = -1; currentId = null; return; }
    currentIndex = Math.max(0, Math.min(index, all.length - 1));
    currentId = all[currentIndex].dataset.conversationId;
    all.forEach(function (row, i) {
      row.classList.toggle("is-current", i === currentIndex);
      if (i === currentIndex) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
    var link = all[currentIndex].querySelector(".row-contact");
    if (link && !keepFocus) link.focus();
  }

  function reselect(keepFocus) {
    // After the rows were replaced: the same conversation if it is still listed, else the
    // one that took its place.
    var all = rows();
    var index = all.findIndex(function (row) { return row.dataset.conversationId === currentId; });
    selectRow(index >= 0 ? index : currentIndex, keepFocus);
  }

  function currentRow() {
    var all = rows();
    var focused = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest(".conversation-row");
    if (focused) {
      currentIndex = all.indexOf(focused);
      currentId = focused.dataset.conversationId;
      return focused;
    }
    if (currentId === null) return null;
    var index = all.findIndex(function (row) { return row.dataset.conversationId === currentId; });
    if (index < 0) return null;
    currentIndex = index;
    return all[index];
  }

  function actOnCurrentRow(operation) {
    var row = currentRow();
    var region = document.getElementById("conversation-list");
    if (!row || !region) return;
    // The request's source is not the list region: htmx queues requests per element, and a
    // live refresh of the region arriving meanwhile would replace the queued change.
    htmx.ajax("POST", region.dataset.bulkUrl, {
      source: document.getElementById("row-action-source"),
      target: "#conversation-list",
      swap: "innerHTML",
      values: { ids: row.dataset.conversationId, operation: operation }
    });
  }

  function click(id) {
    var element = document.getElementById(id);
    if (element) element.click();
    return !!element;
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link) window.location.assign(link.href);
    else announce(body.dataset.textNoMore);
  }

  var help = document.getElementById("shortcuts-help");

  function openHelp() {
    if (help && !help.open) help.showModal();
  }

  document.querySelectorAll("[data-open-help]").forEach(function (button) {
    button.addEventListener("click", openHelp);
  });

  function isTyping(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable ||
      (tag === "INPUT" && ["checkbox", "radio", "button", "submit"].indexOf(element.type) < 0);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && isTyping(event.target)) {
      event.target.blur();
      return;
    }
    if (isTyping(event.target) || (help && help.open)) return;
    var onList = !!document.getElementById("conversation-list");
    var onConversation = !!document.getElementById("conversation-live");
    // With a conversation open beside the list, a/e act on it, j/k open the next one.
    var listActs = onList && !onConversation;
    var handled = true;
    switch (event.key) {
      case "?":
        openHelp();
        break;
      case "/":
        var search = document.getElementById("search-query") || document.getElementById("search-input");
        if (search) { search.focus(); search.select(); }
        break;
      case "j":
      case "k":
        var step = event.key === "j" ? 1 : -1;
        if (onList && onConversation) {
          var before = currentRow() ? currentIndex : -1;
          selectRow(before < 0 ? 0 : currentIndex + step);
          if (currentIndex !== before) openRow(rows()[currentIndex]);
          else announce(body.dataset.textNoMore);
        } else if (onList) selectRow(currentRow() ? currentIndex + step : 0);
        else if (onConversation) follow(step > 0 ? "next-conversation" : "previous-conversation");
        else handled = false;
        break;
      case "o":
        handled = onList && openRow(currentRow());
        break;
      case "x":
        var row = onList && currentRow();
        var box = row && row.querySelector(".row-select");
        if (box) box.checked = !box.checked;
        else handled = false;
        break;
      case "a":
        if (listActs) actOnCurrentRow("assign_me");
        else handled = onConversation && click("assign-me");
        break;
      case "e":
        if (listActs) actOnCurrentRow("resolve");
        else {
          var status = document.getElementById("status-button");
          handled = !!status && !status.hasAttribute("data-reopen") && click("status-button");
        }
        break;
      case "r":
        var reply = document.getElementById("reply-text");
        if (reply) reply.focus(); else handled = false;
        break;
      case "n":
        var note = document.getElementById("note-text");
        if (note) note.focus(); else handled = false;
        break;
      case "l":
        var label = document.getElementById("label-name");
        if (label) label.focus(); else handled = false;
        break;
      case "u":
        var back = document.getElementById("back-to-list");
        if (back) window.location.assign(back.href); else handled = false;
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  });

  scrollToEnd();
  markOpenRow();
  connect();
})();
