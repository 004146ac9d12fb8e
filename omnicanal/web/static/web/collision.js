// Collision detection on the conversation page: tell the server this page shows the
// conversation (with a heartbeat), show which colleagues also have it open and who of them
// is typing, and tell them when this agent types. Everything goes through the workspace
// socket of app.js (omnicanal.send, "omnicanal:event"); the server says who we are.
// Texts come from data attributes rendered (and translated) by the server.
//
// The list keeps its place while conversations open beside it (htmx swaps #conversation-pane):
// "omnicanal:conversation-opened" makes this script leave the previous conversation and
// follow the new one, as a page load would.
(function () {
  "use strict";

  if (!window.omnicanal) return;

  var typingSpot = null;
  var conversationId = null;
  var HEARTBEAT_MS = 20000;
  // A colleague's "is typing" is renewed every few seconds while they type; without news,
  // it goes (their tab may have closed mid-word).
  var TYPING_SHOWN_MS = 8000;
  var TYPING_RESEND_MS = 3000;
  var TYPING_IDLE_MS = 4000;

  var viewers = [];
  var typists = {}; // user id -> {name, box, timer}

  function send(payload) {
    if (conversationId === null) return false;
    payload.conversation_id = conversationId;
    return window.omnicanal.send(payload);
  }

  // Viewing.

  function announce() { send({ type: "viewing" }); }

  var heartbeat = null;

  function follow() {
    // The conversation on screen now (none on the list alone).
    var spot = document.getElementById("agent-typing");
    var id = spot ? Number(spot.dataset.conversationId) : null;
    if (spot === typingSpot && id === conversationId) return;
    if (conversationId !== null && id !== conversationId) {
      send({ type: "leaving" });
      Object.keys(typists).forEach(forget);
      viewers = [];
    }
    typingSpot = spot;
    conversationId = id;
    window.clearInterval(heartbeat);
    heartbeat = null;
    if (!spot) return;
    HEARTBEAT_MS = Number(spot.dataset.heartbeatSeconds || 20) * 1000;
    replyField = document.getElementById("reply-text");
    var field = replyField;
    // One box, two tabs: the composer's form says which one the agent is writing in.
    watchTyping(field, function () {
      return field && field.form && field.form.dataset.mode === "note" ? "note" : "reply";
    });
    announce();
    heartbeat = window.setInterval(announce, HEARTBEAT_MS);
    renderViewers();
  }

  document.addEventListener("omnicanal:connected", announce);
  document.addEventListener("omnicanal:conversation-opened", follow);
  // The socket closing ends it too; saying so first spares the others a stale name while
  // the next page opens its own socket.
  window.addEventListener("pagehide", function () { send({ type: "leaving" }); });
  window.addEventListener("pageshow", function (event) { if (event.persisted) announce(); });

  function listOf(names) {
    if (window.Intl && Intl.ListFormat) {
      return new Intl.ListFormat(document.documentElement.lang || undefined,
        { type: "conjunction" }).format(names);
    }
    return names.join(", ");
  }

  function renderViewers() {
    var spot = document.getElementById("conversation-viewers");
    if (!spot) return;
    if (!viewers.length) {
      spot.textContent = "";
      spot.hidden = true;
      return;
    }
    var template = viewers.length === 1 ? spot.dataset.textOne : spot.dataset.textMany;
    spot.textContent = template.replace("{names}",
      listOf(viewers.map(function (viewer) { return viewer.name; })));
    spot.hidden = false;
  }

  function renderTypists() {
    if (!typingSpot) return;
    var lines = Object.keys(typists).map(function (id) {
      var typist = typists[id];
      var template = typist.box === "note" ? typingSpot.dataset.textNote
        : typingSpot.dataset.textReply;
      return template.replace("{name}", typist.name);
    });
    typingSpot.textContent = lines.join(" · ");
  }

  function forget(userId) {
    if (!typists[userId]) return;
    window.clearTimeout(typists[userId].timer);
    delete typists[userId];
  }

  function onViewers(event) {
    viewers = event.viewers || [];
    // Someone who left no longer types here.
    var present = viewers.map(function (viewer) { return String(viewer.user_id); });
    Object.keys(typists).forEach(function (id) {
      if (present.indexOf(id) < 0) forget(id);
    });
    renderViewers();
    renderTypists();
  }

  function onTyping(event) {
    var id = String(event.user_id);
    forget(id);
    if (event.is_typing) {
      typists[id] = {
        name: event.name,
        box: event.box,
        timer: window.setTimeout(function () { forget(id); renderTypists(); }, TYPING_SHOWN_MS)
      };
    }
    renderTypists();
  }

  document.addEventListener("omnicanal:event", function (custom) {
    var event = custom.detail;
    if (!event || event.conversation_id !== conversationId) return;
    if (event.kind === "collision.viewers") onViewers(event);
    else if (event.kind === "collision.typing") onTyping(event);
  });

  // Typing: throttled while it lasts, stopped when idle, emptied or sent.

  // `box` is "reply" or "note", or a function saying which (the composer's tab).
  function watchTyping(field, box) {
    // Once per field: a refresh of the header or timeline keeps the composer's fields.
    if (!field || field.dataset.collisionWatched) return;
    field.dataset.collisionWatched = "1";
    var sentAt = 0;
    var boxOf = typeof box === "function" ? box : function () { return box; };
    var idleTimer = null;

    function stop() {
      window.clearTimeout(idleTimer);
      idleTimer = null;
      if (!sentAt) return;
      sentAt = 0;
      send({ type: "typing", box: boxOf(), is_typing: false });
    }

    field.addEventListener("input", function () {
      if (!field.value.trim()) { stop(); return; }
      var now = Date.now();
      if (now - sentAt >= TYPING_RESEND_MS) {
        sentAt = now;
        send({ type: "typing", box: boxOf(), is_typing: true });
      }
      window.clearTimeout(idleTimer);
      idleTimer = window.setTimeout(stop, TYPING_IDLE_MS);
    });
    if (field.form) {
      field.form.addEventListener("submit", stop);
      field.form.addEventListener("htmx:beforeRequest", stop);
    }
  }

  var replyField = null;

  // The reply form says which message the agent last saw. While the reply box is empty, the
  // newest message on screen counts as seen; once they write, it stays what it was when they
  // began, so that what arrives while they write is what the server warns about.

  function syncSeenMessage() {
    var input = document.getElementById("reply-seen-message-id");
    var timeline = document.getElementById("timeline");
    if (!input || !timeline || !replyField || replyField.value.trim()) return;
    input.value = timeline.dataset.latestMessageId || input.value;
  }

  document.body.addEventListener("htmx:afterSwap", function () {
    // A refresh of the conversation replaces the header, and the viewers' spot with it.
    renderViewers();
    syncSeenMessage();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!event.detail.successful || !replyField || form !== replyField.form) return;
    // Sent (app.js has emptied the box): the warning is over, the reply is seen.
    var warning = document.getElementById("reply-warning");
    if (warning) warning.innerHTML = "";
    syncSeenMessage();
  });
  follow();
})();
