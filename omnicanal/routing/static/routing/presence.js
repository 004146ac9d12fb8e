// The presence toggle of the top bar, and "away" after inactivity.
// An online agent with no keyboard or mouse activity in any workspace tab for
// data-away-after-seconds turns away; activity brings them back online only when the away
// was automatic (the server keeps that flag, so every tab agrees). Tabs share the moment of
// the last activity through localStorage: reading in one tab is activity for all.
(function () {
  "use strict";

  if (!window.htmx) return;
  var STORAGE_KEY = "omnicanal.lastActivity";
  var STORE_EVERY_MS = 5000;
  var lastActivity = Date.now();
  var lastStored = 0;
  var pending = false;

  function toggle() {
    return document.getElementById("presence");
  }

  function awayAfterMs() {
    var form = toggle();
    var seconds = form ? Number(form.dataset.awayAfterSeconds) : 0;
    return seconds > 0 ? seconds * 1000 : 0;
  }

  function sharedLastActivity() {
    var stored = 0;
    try { stored = Number(window.localStorage.getItem(STORAGE_KEY)) || 0; } catch (error) { /* private mode */ }
    return Math.max(lastActivity, stored);
  }

  function report(presence) {
    var form = toggle();
    if (!form || pending) return;
    pending = true;
    htmx.ajax("POST", form.getAttribute("action"), {
      source: form, target: form, swap: "outerHTML",
      values: { presence: presence, automatic: "1" }
    }).then(function () { pending = false; }, function () { pending = false; });
  }

  function onActivity() {
    var now = Date.now();
    lastActivity = now;
    if (now - lastStored >= STORE_EVERY_MS) {
      lastStored = now;
      try { window.localStorage.setItem(STORAGE_KEY, String(now)); } catch (error) { /* private mode */ }
    }
    var form = toggle();
    if (form && form.dataset.presence === "away" && form.dataset.awayForInactivity === "1") {
      report("online");
    }
  }

  ["keydown", "mousemove", "mousedown", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, onActivity, { passive: true, capture: true });
  });

  function check() {
    var form = toggle();
    var limit = awayAfterMs();
    if (form && limit && form.dataset.presence === "online" &&
        Date.now() - sharedLastActivity() >= limit) {
      report("away");
    }
  }

  var limit = awayAfterMs();
  if (limit) window.setInterval(check, Math.max(1000, Math.min(15000, limit / 4)));

  // Another tab, or a colleague's screen, changed this agent's presence: show it here too.
  document.addEventListener("omnicanal:event", function (event) {
    var detail = event.detail || {};
    var form = toggle();
    if (!form || detail.kind !== "agent.presence_changed" ||
        String(detail.agent_id) !== form.dataset.agentId ||
        detail.presence === form.dataset.presence) return;
    // No source: a GET from the form would put its CSRF token in the URL.
    htmx.ajax("GET", form.getAttribute("action"), { target: form, swap: "outerHTML" });
  });
})();
