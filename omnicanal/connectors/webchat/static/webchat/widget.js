/* Omnicanal web chat widget. Embed with:
 *   <script src="https://helpdesk.example/widget.js" data-site-token="…" async></script>
 * Optional, for a signed-in user (user_hash = hex HMAC-SHA256(inbox secret, user_id),
 * computed on the site's server): data-user-id, data-user-email, data-user-name,
 * data-user-hash.
 * Strict-CSP friendly: no eval, no inline script or style attribute; the UI lives in a
 * shadow root styled by a constructed stylesheet; customer text is set with textContent.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-site-token")) return;
  var token = script.getAttribute("data-site-token");
  var base = new URL(script.src).origin;
  var wsBase = base.replace(/^http/, "ws");
  var lang = /^fr\b/i.test(navigator.language || "") ? "fr" : "en";
  var T = {
    fr: {
      open: "Discuter avec nous", close: "Fermer", title: "Besoin d'aide ?",
      search: "Rechercher dans l'aide", searchLabel: "Votre question", go: "Chercher",
      chat: "Discuter maintenant", email: "Laisser un e-mail", back: "Retour",
      closed: "L'équipe est absente. Retour prévu : ", closedNoTime: "L'équipe est absente.",
      leaveEmail: "Laissez votre e-mail, nous vous répondrons.",
      yourEmail: "Votre e-mail", yourMessage: "Votre message", send: "Envoyer",
      placeholder: "Écrivez votre message…", pending: "En attente d'envoi",
      sent: "Envoyé", read: "Lu", failed: "Non envoyé : ", typing: " écrit…",
      agent: "Conseiller", you: "Vous", offline: "Hors ligne : vos messages partiront au retour du réseau.",
      thanks: "Merci, nous vous répondrons par e-mail.", refused: "Discussion indisponible : ",
      log: "Messages de la discussion",
      line: "Vous êtes le numéro %p dans la file", wait: ", environ %m minute", soon: ", moins d'une minute"
    },
    en: {
      open: "Chat with us", close: "Close", title: "Need help?",
      search: "Search the help center", searchLabel: "Your question", go: "Search",
      chat: "Chat now", email: "Leave an e-mail", back: "Back",
      closed: "The team is away. Back: ", closedNoTime: "The team is away.",
      leaveEmail: "Leave your e-mail and we will answer.",
      yourEmail: "Your e-mail", yourMessage: "Your message", send: "Send",
      placeholder: "Type your message…", pending: "Waiting to send",
      sent: "Sent", read: "Read", failed: "Not sent: ", typing: " is typing…",
      agent: "Agent", you: "You", offline: "Offline: your messages will go when the network is back.",
      thanks: "Thank you, we will answer by e-mail.", refused: "Chat unavailable: ",
      log: "Chat messages",
      line: "You are number %p in line", wait: ", about %m minute", soon: ", under a minute"
    }
  }[lang];

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,sans-serif;font-size:14px}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;padding:12px 18px;background:var(--oc-accent,#1d4ed8);color:#fff;cursor:pointer;box-shadow:0 4px 12px rgba(0,0,0,.25)}",
    ".launcher:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}",
    ".panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:340px;max-width:calc(100vw - 40px);height:480px;max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;color:#111;border-radius:12px;box-shadow:0 8px 28px rgba(0,0,0,.3);overflow:hidden}",
    ".panel[hidden],[hidden]{display:none!important}",
    "header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:var(--oc-accent,#1d4ed8);color:#fff}",
    "header h2{margin:0;font-size:16px}",
    "header button{background:transparent;border:0;color:#fff;font-size:20px;cursor:pointer}",
    ".view{flex:1;display:flex;flex-direction:column;padding:12px;gap:8px;overflow:auto}",
    ".choice{padding:10px;border:1px solid #cbd5e1;border-radius:8px;background:#f8fafc;text-align:left;cursor:pointer}",
    ".note{color:#475569;font-size:13px;margin:0}",
    ".log{flex:1;overflow:auto;display:flex;flex-direction:column;gap:6px;padding:4px}",
    ".msg{max-width:85%;padding:6px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}",
    ".msg.visitor{align-self:flex-end;background:#dbeafe}",
    ".msg.agent{align-self:flex-start;background:#f1f5f9}",
    ".who{display:block;font-size:11px;color:#475569}",
    ".state{display:block;font-size:11px;color:#64748b;text-align:right}",
    ".typing{min-height:16px;font-size:12px;color:#64748b}",
    "form{display:flex;gap:6px}",
    "form.stack{flex-direction:column}",
    "textarea,input{flex:1;border:1px solid #94a3b8;border-radius:6px;padding:6px;resize:none}",
    "button.primary{background:var(--oc-accent,#1d4ed8);color:#fff;border:0;border-radius:6px;padding:6px 12px;cursor:pointer}",
    ".error{color:#b91c1c;font-size:13px}"
  ].join("\n");

  // --- storage: the visitor id, the queue of unsent messages, the cursor ------------------
  var prefix = "omnicanal:" + token + ":";
  function load(key, fallback) {
    try { var v = localStorage.getItem(prefix + key); return v === null ? fallback : JSON.parse(v); }
    catch (e) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(prefix + key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function randomId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var visitorId = load("visitor", null);
  if (!visitorId) { visitorId = "v" + randomId(); save("visitor", visitorId); }
  var identity = {};
  [["user_id", "id"], ["email", "email"], ["name", "name"], ["user_hash", "hash"]].forEach(function (pair) {
    var value = script.getAttribute("data-user-" + pair[1]);
    if (value) identity[pair[0]] = value;
  });
  var queue = load("queue", []);
  var cursor = 0;
  var shown = {};      // message id -> element
  var pendingEls = {}; // client id -> element
  var lastAgentId = 0;

  // --- DOM ---------------------------------------------------------------------------------
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") el.textContent = attrs[k];
      else if (k === "hidden") el.hidden = attrs[k];
      else el.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { el.appendChild(c); });
    return el;
  }
  var host = h("div", {"data-omnicanal-widget": ""});
  var root = host.attachShadow({mode: "open"});
  if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function") {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  }
  var launcher = h("button", {"class": "launcher", type: "button", "aria-expanded": "false",
                              "aria-controls": "oc-panel", text: T.open});
  var closeButton = h("button", {type: "button", "aria-label": T.close, text: "×"});
  var status = h("p", {"class": "note", role: "status"});
  // Home: the customer's choice.
  var searchInput = h("input", {type: "search", name: "q", "aria-label": T.searchLabel, placeholder: T.searchLabel});
  var searchForm = h("form", {role: "search"}, [searchInput, h("button", {"class": "primary", type: "submit", text: T.go})]);
  var chatChoice = h("button", {"class": "choice", type: "button", text: T.chat});
  var waitNote = h("p", {"class": "note"});
  var emailChoice = h("button", {"class": "choice", type: "button", text: T.email});
  var home = h("div", {"class": "view"}, [
    h("p", {"class": "note", text: T.search}), searchForm, chatChoice, waitNote, emailChoice, status
  ]);
  // Chat.
  var log = h("div", {"class": "log", role: "log", "aria-live": "polite", "aria-label": T.log});
  var typingLine = h("div", {"class": "typing", "aria-live": "polite"});
  var textarea = h("textarea", {rows: "2", "aria-label": T.yourMessage, placeholder: T.placeholder, maxlength: "5000"});
  var composer = h("form", {}, [textarea, h("button", {"class": "primary", type: "submit", text: T.send})]);
  var netNote = h("p", {"class": "note", role: "status"});
  var chatBack = h("button", {"class": "choice", type: "button", text: T.back});
  var queueLine = h("p", {"class": "note", role: "status"});
  var chat = h("div", {"class": "view", hidden: true}, [chatBack, queueLine, log, typingLine, netNote, composer]);
  // Leave an e-mail.
  var emailInput = h("input", {type: "email", name: "email", required: "", autocomplete: "email", "aria-label": T.yourEmail, placeholder: T.yourEmail});
  var emailText = h("textarea", {rows: "3", required: "", "aria-label": T.yourMessage, placeholder: T.yourMessage, maxlength: "5000"});
  var emailError = h("p", {"class": "error", role: "alert"});
  var emailForm = h("form", {"class": "stack"}, [
    h("p", {"class": "note", text: T.leaveEmail}), emailInput, emailText,
    h("button", {"class": "primary", type: "submit", text: T.send}), emailError
  ]);
  var emailBack = h("button", {"class": "choice", type: "button", text: T.back});
  var emailView = h("div", {"class": "view", hidden: true}, [emailBack, emailForm]);
  var panel = h("div", {"class": "panel", id: "oc-panel", role: "dialog", "aria-label": T.title, hidden: true}, [
    h("header", {}, [h("h2", {text: T.title}), closeButton]), home, chat, emailView
  ]);
  root.appendChild(launcher);
  root.appendChild(panel);
  document.body.appendChild(host);

  function show(view) {
    [home, chat, emailView].forEach(function (v) { v.hidden = v !== view; });
    var focus = view === chat ? textarea : view === emailView ? emailInput : chatChoice;
    focus.focus();
    if (view === chat) { log.scrollTop = log.scrollHeight; acknowledge(); }
  }
  function setOpen(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) { show(queue.length || lastAgentId || Object.keys(shown).length ? chat : home); }
    else launcher.focus();
  }
  launcher.addEventListener("click", function () { setOpen(panel.hidden); });
  closeButton.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") setOpen(false); });
  chatChoice.addEventListener("click", function () { show(chat); });
  emailChoice.addEventListener("click", function () { show(emailView); });
  chatBack.addEventListener("click", function () { show(home); });
  emailBack.addEventListener("click", function () { show(home); });

  var config = {help_center_url: base + "/help/"};
  searchForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var url = config.help_center_url.replace(/\/$/, "") + "/" + lang + "/search/?q=" + encodeURIComponent(searchInput.value);
    window.open(url, "_blank", "noopener");
  });

  // --- messages ----------------------------------------------------------------------------
  function stateText(m) {
    if (m.from !== "visitor") return "";
    if (m.status === "failed") return T.failed + (m.reason || "");
    return m.id ? T.sent : T.pending;
  }
  function render(m) {
    var el = (m.id && shown[m.id]) || (m.client_id && pendingEls[m.client_id]);
    if (!el) {
      el = h("div", {"class": "msg " + m.from}, [h("span", {"class": "who"}), h("span", {"class": "body"}), h("span", {"class": "state"})]);
      log.appendChild(el);
      log.scrollTop = log.scrollHeight;
    }
    el.querySelector(".who").textContent = m.from === "agent" ? (m.author || T.agent) : T.you;
    el.querySelector(".body").textContent = m.text;
    el.querySelector(".state").textContent = stateText(m);
    if (m.id) {
      shown[m.id] = el;
      el.setAttribute("data-id", m.id);
      if (m.client_id) delete pendingEls[m.client_id];
    } else if (m.client_id) pendingEls[m.client_id] = el;
  }
  function receive(list) {
    (list || []).forEach(function (m) {
      if (m.from === "visitor" && m.client_id) dequeue(m.client_id);
      render(m);
      if (m.id > cursor) cursor = m.id;
      if (m.from === "agent" && m.id > lastAgentId) { lastAgentId = m.id; typingLine.textContent = ""; }
    });
    if (lastAgentId) acknowledge();
  }
  function dequeue(clientId) {
    queue = queue.filter(function (q) { return q.client_id !== clientId; });
    save("queue", queue);
  }
  function acknowledge() {
    if (!lastAgentId) return;
    var isRead = !panel.hidden && !chat.hidden && document.visibilityState === "visible";
    transport("read", {up_to: lastAgentId, is_read: isRead});
  }
  function enqueue(text, extra) {
    var item = {client_id: randomId(), text: text};
    Object.keys(extra || {}).forEach(function (k) { item[k] = extra[k]; });
    queue.push(item);
    save("queue", queue);
    render({client_id: item.client_id, from: "visitor", text: text});
    flush();
  }
  composer.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = textarea.value.trim();
    if (!text) return;
    textarea.value = "";
    enqueue(text);
    sendTyping(false);
  });
  textarea.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); composer.requestSubmit(); }
  });
  emailForm.addEventListener("submit", function (e) {
    e.preventDefault();
    emailError.textContent = "";
    var body = {visitor_id: visitorId, identity: identity, client_id: randomId(),
                email: emailInput.value.trim(), text: emailText.value.trim()};
    post("/email", body).then(function (r) {
      if (!r.ok) { emailError.textContent = r.body.error || T.failed; return; }
      emailText.value = "";
      status.textContent = T.thanks;
      receive([{id: r.body.id, client_id: body.client_id, from: "visitor", text: body.text}]);
      show(home);
    });
  });

  // Place in line: asked at each ping while waiting.
  var waiting = true;
  function showQueue(q) {
    waiting = !!q;
    var text = "", s = q && q.estimated_wait_seconds, m = Math.round(s / 60);
    if (q) text = T.line.replace("%p", q.position) + (s == null ? "" : s < 60 ? T.soon : T.wait.replace("%m", m) + (m > 1 ? "s" : ""));
    // The same text again would be read again.
    if (queueLine.textContent !== text) queueLine.textContent = text;
  }

  // --- typing ------------------------------------------------------------------------------
  var typingSentAt = 0, typingTimer = null, agentTypingTimer = null;
  function sendTyping(isTyping) {
    clearTimeout(typingTimer);
    if (isTyping) {
      typingTimer = setTimeout(function () { sendTyping(false); }, 4000);
      if (Date.now() - typingSentAt < 3000) return;
      typingSentAt = Date.now();
    } else {
      if (!typingSentAt) return;
      typingSentAt = 0;
    }
    transport("typing", {is_typing: isTyping});
  }
  textarea.addEventListener("input", function () { sendTyping(textarea.value.length > 0); });
  function agentTyping(name, isTyping) {
    clearTimeout(agentTypingTimer);
    typingLine.textContent = isTyping ? (name || T.agent) + T.typing : "";
    if (isTyping) agentTypingTimer = setTimeout(function () { typingLine.textContent = ""; }, 6000);
  }

  // --- transports: the socket first, long polling when it keeps failing --------------------
  var ws = null, wsReady = false, failures = 0, retryTimer = null, polling = false, refused = false;
  var pollLoop = 0;
  var inflight = {};
  function post(path, body) {
    return fetch(base + "/webchat/" + token + path, {
      method: "POST", mode: "cors", credentials: "omit",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return {ok: response.ok, status: response.status, body: json};
      });
    }, function () { return {ok: false, status: 0, body: {}}; });
  }
  function transport(kind, data) {
    if (wsReady) {
      data.type = kind;
      ws.send(JSON.stringify(data));
    } else if (navigator.onLine !== false && (kind === "read" || kind === "typing")) {
      data.visitor_id = visitorId;
      data.identity = identity;
      post("/" + kind, data);
    }
  }
  // In order, one at a time: the head of the queue goes, the next one when it is stored.
  // A lost answer is retried after a while, and ingest stores a repeated client id once.
  function flush() {
    var item = queue[0];
    if (!item) return;
    var sent = inflight[item.client_id];
    if (sent && Date.now() - sent.at < 8000) return;
    if (wsReady) {
      inflight[item.client_id] = {at: Date.now(), via: "ws"};
      ws.send(JSON.stringify({type: "message", client_id: item.client_id, text: item.text, email: item.email || ""}));
    } else if (polling && navigator.onLine !== false) {
      inflight[item.client_id] = {at: Date.now(), via: "http"};
      post("/messages", {visitor_id: visitorId, identity: identity, client_id: item.client_id, text: item.text})
        .then(function (r) {
          delete inflight[item.client_id];
          if (r.ok) { receive([{id: r.body.id, client_id: item.client_id, from: "visitor", text: item.text}]); showQueue(r.body.queue); }
          else if (r.status >= 400 && r.status < 500 && r.status !== 429) fail(item, r.body.error || "");
          else return;
          flush();
        });
    }
  }
  function fail(item, reason) {
    dequeue(item.client_id);
    render({client_id: item.client_id, from: "visitor", text: item.text, status: "failed", reason: reason});
  }
  function connect() {
    clearTimeout(retryTimer);
    if (refused || (ws && ws.readyState < 2)) return;
    try { ws = new WebSocket(wsBase + "/ws/webchat/" + token + "/"); }
    catch (e) { scheduleReconnect(); return; }
    // A socket the page's CSP or a proxy silently blocks never closes: give up on it.
    var attempt = ws;
    setTimeout(function () {
      if (ws !== attempt || wsReady) return;
      attempt.onclose = null;
      try { attempt.close(); } catch (e) { /* already closing */ }
      ws = null;
      scheduleReconnect();
    }, 4000);
    ws.onopen = function () {
      ws.send(JSON.stringify({type: "hello", visitor_id: visitorId, identity: identity, since: cursor}));
    };
    ws.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if ("queue" in data) showQueue(data.queue);
      if (data.type === "welcome" || data.type === "pong") {
        if (data.type === "welcome") {
          wsReady = true; failures = 0; polling = false; netNote.textContent = "";
          // What went through the previous socket will not be answered there.
          Object.keys(inflight).forEach(function (id) { if (inflight[id].via === "ws") delete inflight[id]; });
        }
        receive(data.messages);
        flush();
      } else if (data.type === "message") receive([data.message]);
      else if (data.type === "ack") {
        delete inflight[data.client_id];
        var item = queue.filter(function (q) { return q.client_id === data.client_id; })[0];
        if (item) receive([{id: data.id, client_id: item.client_id, from: "visitor", text: item.text}]);
      } else if (data.type === "typing") agentTyping(data.name, data.is_typing);
      else if (data.type === "error" && data.client_id && data.status !== 429) {
        var failed = queue.filter(function (q) { return q.client_id === data.client_id; })[0];
        if (failed) fail(failed, data.reason);
      }
      flush();
    };
    ws.onclose = function (event) {
      wsReady = false;
      ws = null;
      if (event.code === 4403 || event.code === 4404) {
        refused = true;
        status.textContent = T.refused + (event.reason || "");
        netNote.textContent = status.textContent;
        return;
      }
      scheduleReconnect();
    };
  }
  function scheduleReconnect() {
    failures += 1;
    // Long polling meanwhile; it stops by itself once a socket says welcome.
    if (!polling) { polling = true; poll(++pollLoop); flush(); }
    var delay = Math.min(30000, 1000 * Math.pow(2, failures - 1)) * (0.5 + Math.random() / 2);
    if (navigator.onLine !== false) retryTimer = setTimeout(connect, delay);
  }
  function poll(loop) {
    // One loop at a time: a loop left over from an earlier fallback ends here.
    if (!polling || wsReady || refused || loop !== pollLoop) return;
    var again = function (delay) { setTimeout(function () { poll(loop); }, delay); };
    if (navigator.onLine === false) { again(3000); return; }
    var query = "?visitor_id=" + encodeURIComponent(visitorId) + "&since=" + cursor + "&wait=1" + (waiting ? "&queue=1" : "");
    Object.keys(identity).forEach(function (k) { query += "&" + k + "=" + encodeURIComponent(identity[k]); });
    fetch(base + "/webchat/" + token + "/messages" + query, {mode: "cors", credentials: "omit"})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, status: r.status, body: j}; }); })
      .then(function (r) {
        if (r.ok) { receive(r.body.messages); if ("queue" in r.body) showQueue(r.body.queue); flush(); again(10); }
        else if (r.status === 403 || r.status === 404) { refused = true; status.textContent = T.refused + (r.body.error || ""); }
        else again(5000);
      }, function () { again(3000); });
  }
  window.addEventListener("offline", function () {
    netNote.textContent = T.offline;
    if (ws) ws.close();
  });
  window.addEventListener("online", function () {
    netNote.textContent = "";
    failures = 0;
    connect();
    flush();
  });
  document.addEventListener("visibilitychange", acknowledge);
  setInterval(function () {
    if (wsReady) ws.send(JSON.stringify({type: "ping", since: cursor, queue: waiting}));
    flush();
  }, 10000);

  // --- opening hours and start -------------------------------------------------------------
  fetch(base + "/webchat/" + token + "/config", {mode: "cors", credentials: "omit"})
    .then(function (r) { return r.json(); })
    .then(function (data) {
      if (data.error) { status.textContent = T.refused + data.error; return; }
      config = data;
      // The inbox's colour, through the constructed sheet (no inline style: strict CSPs).
      if (sheet && /^#[0-9a-fA-F]{6}$/.test(data.color || "")) {
        sheet.insertRule(":host{--oc-accent:" + data.color + "}", sheet.cssRules.length);
      }
      if (data.is_open) {
        waitNote.textContent = data.wait_message || "";
      } else {
        chatChoice.hidden = true;
        var back = data.next_opening ? new Date(data.next_opening).toLocaleString(lang, {weekday: "long", hour: "2-digit", minute: "2-digit"}) : "";
        waitNote.textContent = back ? T.closed + back : T.closedNoTime;
      }
    }, function () { /* offline at load: the socket retries */ });
  queue.forEach(function (item) { render({client_id: item.client_id, from: "visitor", text: item.text}); });
  connect();
})();
