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
    connection.dataset.state = state;
    connection.textContent = state === "live" ? body.dataset.textLive : body.dataset.textOffline;
  }

  function announce(text) {
    if (!announcer || !text) return;
    // Emptying first makes screen readers repeat an identical announcement.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function concerns(element, event) {
    if (element.dataset.live === "list") return true;
    return String(event.conversation_id) === element.dataset.conversationId ||
      String(event.contact_id) === element.dataset.contactId;
  }

  function isBusy(element) {
    // Replacing a select the agent is choosing from would lose their choice: wait.
    var active = document.activeElement;
    return active && active.tagName === "SELECT" && element.contains(active);
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
      htmx.trigger(element, "omnicanal:refresh");
    }, REFRESH_DELAY_MS));
  }

  function refreshAll() {
    document.querySelectorAll("[data-live]").forEach(scheduleRefresh);
  }

  function onEvent(event) {
    if (event.kind === "message.created" && event.direction === "incoming") {
      pendingAnnouncement = true;
    }
    document.querySelectorAll("[data-live]").forEach(function (element) {
      if (concerns(element, event)) scheduleRefresh(element);
    });
  }

  var retryDelay = 500;
  var hasConnected = false;

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + websocketPath);
    socket.addEventListener("open", function () {
      retryDelay = 500;
      setConnection("live");
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
    var element = timeline();
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
    if (form.hasAttribute("data-reset-on-success")) form.reset();
  });

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) &&
        field.tagName === "TEXTAREA" && field.form) {
      event.preventDefault();
      field.form.requestSubmit();
    }
  });

  scrollToEnd();
  connect();
})();
