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
  // The site may say its language (data-lang); else the browser's.
  var lang = /^fr\b/i.test(script.getAttribute("data-lang") || navigator.language || "") ? "fr" : "en";
  var T = {
    fr: {
      open: "Discuter avec nous", close: "Fermer la discussion", title: "Besoin d'aide ?",
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
      line: "Vous êtes le numéro %p dans la file", wait: ", environ %m minute", soon: ", moins d'une minute",
      online: "Réponse en quelques minutes", away: "Équipe absente",
      unread: " (%n nouveau(x) message(s))", sound: "Son des nouveaux messages",
      prechat: "Avant de commencer, présentez-vous :", start: "Commencer la discussion",
      name: "Votre nom", phone: "Votre téléphone", optional: " (facultatif)", required: "À remplir : ",
      yes: "Oui", choose: "Choisir…", file: "Pièce jointe", bot: "Assistant automatique",
      survey: "Votre note", surveyThanks: "Merci pour votre réponse !", surveyScore: "Note %s"
    },
    en: {
      open: "Chat with us", close: "Close the chat", title: "Need help?",
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
      line: "You are number %p in line", wait: ", about %m minute", soon: ", under a minute",
      online: "We reply within minutes", away: "The team is away",
      unread: " (%n new message(s))", sound: "Sound for new messages",
      prechat: "Before we start, tell us who you are:", start: "Start the chat",
      name: "Your name", phone: "Your phone", optional: " (optional)", required: "Please fill in: ",
      yes: "Yes", choose: "Choose…", file: "Attachment", bot: "Automated assistant",
      survey: "Your score", surveyThanks: "Thank you for your answer!", surveyScore: "Score %s"
    }
  }[lang];

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:14px;line-height:1.4}",
    "svg{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;flex:none}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border:0;border-radius:50%;display:flex;align-items:center;justify-content:center;background:var(--oc-accent,#1d4ed8);color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(15,23,42,.3);transition:transform .15s}",
    ".launcher:hover{transform:scale(1.06)}",
    ".launcher svg{width:26px;height:26px}",
    ".launcher[aria-expanded=true] .closed-icon,.launcher[aria-expanded=false] .open-icon{display:none}",
    ".badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:#b91c1c;color:#fff;font-size:11px;font-weight:700;line-height:20px;text-align:center;border:2px solid #fff}",
    "button:focus-visible,input:focus-visible,textarea:focus-visible,select:focus-visible,a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}",
    ".panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:370px;max-width:calc(100vw - 32px);max-height:calc(100vh - 108px);display:flex;flex-direction:column;background:#fff;color:#1c2430;border-radius:14px;box-shadow:0 12px 40px rgba(15,23,42,.28);overflow:hidden}",
    ".panel.tall{height:580px}",
    ".left{left:20px;right:auto}",
    "[hidden]{display:none!important}",
    "header{display:flex;align-items:center;gap:10px;padding:14px 10px 14px 16px;background:var(--oc-accent,#1d4ed8);color:#fff}",
    "header .titles{flex:1;min-width:0}",
    "header h2{margin:0;font-size:16px;font-weight:600}",
    "header p{margin:2px 0 0;font-size:12px;opacity:.92;display:flex;align-items:center;gap:6px}",
    ".dot{width:8px;height:8px;border-radius:50%;background:#4ade80;flex:none}",
    ".dot.off{background:#fbbf24}",
    ".icon{background:transparent;border:0;color:inherit;width:34px;height:34px;border-radius:8px;display:inline-flex;align-items:center;justify-content:center;cursor:pointer;padding:0}",
    "header .icon:hover{background:rgba(255,255,255,.16)}",
    ".icon[aria-pressed=false] .on,.icon[aria-pressed=true] .off{display:none}",
    ".view{flex:1;display:flex;flex-direction:column;padding:14px;gap:10px;overflow:auto;min-height:0;background:#f7f8fa}",
    ".card{background:#fff;border:1px solid #e2e6ec;border-radius:10px;padding:12px;display:flex;flex-direction:column;gap:8px}",
    ".greet{margin:0;font-size:15px;color:#1c2430}",
    ".note{color:#475569;font-size:13px;margin:0}",
    ".away{display:flex;gap:8px;align-items:flex-start;background:#fff7e6;border:1px solid #f5d48a;color:#713f12;border-radius:10px;padding:10px 12px;margin:0;font-size:13px}",
    ".choice{display:flex;align-items:center;gap:8px;padding:10px 12px;border:1px solid #d9dee5;border-radius:8px;background:#fff;color:#1c2430;text-align:left;cursor:pointer;width:100%}",
    ".choice:hover{border-color:#94a3b8}",
    ".bar{display:flex;align-items:center;gap:6px;padding:6px 10px;border-bottom:1px solid #e2e6ec;background:#fff}",
    ".bar .icon{color:#475569}",
    ".bar .icon:hover{background:#f1f5f9}",
    ".bar .note{flex:1}",
    ".chatview{padding:0;gap:0}",
    ".log{flex:1;overflow:auto;display:flex;flex-direction:column;gap:4px;padding:12px}",
    ".msg{display:flex;gap:8px;max-width:88%;align-items:flex-end}",
    ".msg.visitor{align-self:flex-end;flex-direction:column;align-items:flex-end;gap:2px;margin-top:6px}",
    ".msg.agent{align-self:flex-start;margin-top:8px}",
    ".msg.agent.cont{margin-top:0}",
    ".msg.agent.cont .who,.msg.agent.cont .av{visibility:hidden}",
    ".msg.agent.cont .who{display:none}",
    ".col{display:flex;flex-direction:column;gap:2px;min-width:0}",
    ".bubble{padding:8px 11px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".visitor .bubble{background:var(--oc-accent,#1d4ed8);color:#fff;border-bottom-right-radius:4px}",
    ".agent .bubble{background:#fff;border:1px solid #e2e6ec;border-bottom-left-radius:4px}",
    ".av{width:28px;height:28px;border-radius:50%;flex:none;object-fit:cover;background:#e6efff;color:#1e3a8a;font-size:12px;font-weight:700;display:inline-flex;align-items:center;justify-content:center}",
    ".who{font-size:12px;color:#475569;padding-left:4px}",
    ".state{font-size:11px;color:#475569}",
    ".files{display:flex;flex-direction:column;gap:4px;margin-top:6px}",
    ".files a{color:inherit;display:flex;align-items:center;gap:6px;text-decoration:underline}",
    ".files img{display:block;max-width:200px;max-height:160px;border-radius:8px;border:1px solid #e2e6ec}",
    ".files svg{width:16px;height:16px}",
    ".greeting{align-self:center;text-align:center;max-width:90%;color:#475569;font-size:13px;margin:4px 0 6px}",
    ".typing{min-height:18px;font-size:12px;color:#475569;padding:0 14px}",
    ".net{padding:0 14px}",
    "form{display:flex;gap:6px}",
    "form.stack,.fields{display:flex;flex-direction:column;gap:10px}",
    ".composer{align-items:flex-end;padding:10px;border-top:1px solid #e2e6ec;background:#fff}",
    ".composer textarea{border:0;padding:8px 4px;max-height:120px}",
    ".composer textarea:focus-visible{outline:0}",
    ".composer:focus-within{box-shadow:inset 0 0 0 2px var(--oc-accent,#1d4ed8)}",
    "textarea,input,select{flex:1;width:100%;border:1px solid #94a3b8;border-radius:8px;padding:8px 10px;resize:none;background:#fff;color:#1c2430}",
    "input[type=checkbox]{width:auto;flex:none}",
    "label{display:flex;flex-direction:column;gap:4px;font-size:13px;color:#334155}",
    "label.check{flex-direction:row;align-items:center;gap:8px}",
    ".opt{color:#475569}",
    "button.primary{background:var(--oc-accent,#1d4ed8);color:#fff;border:0;border-radius:8px;padding:9px 14px;cursor:pointer;font-weight:600}",
    "button.send{width:38px;height:38px;padding:0;border-radius:50%;display:inline-flex;align-items:center;justify-content:center;flex:none}",
    ".error{color:#b91c1c;font-size:13px;margin:0}",
    "[aria-invalid=true]{border-color:#b91c1c;box-shadow:0 0 0 1px #b91c1c}",
    ".error:empty{display:none}",
    ".botmark{display:inline-block;margin-left:6px;padding:0 6px;border-radius:6px;background:#e6efff;color:#1e3a8a;font-size:11px;font-weight:600}",
    ".quick{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}",
    ".quick button{border:1px solid var(--oc-accent,#1d4ed8);color:var(--oc-accent,#1d4ed8);background:#fff;border-radius:16px;padding:5px 12px;cursor:pointer;font-size:13px}",
    ".quick button:hover{background:#eef2ff}",
    ".survey{display:flex;flex-direction:column;gap:4px;margin-top:6px}",
    ".survey .scores{display:flex;flex-wrap:wrap;gap:4px}",
    ".survey button{min-width:30px;height:30px;padding:0 6px;border:1px solid var(--oc-accent,#1d4ed8);color:var(--oc-accent,#1d4ed8);background:#fff;border-radius:6px;cursor:pointer;font-weight:600}",
    ".survey button:hover{background:#eef2ff}",
    ".survey button:disabled{opacity:.5;cursor:default}",
    ".survey .ends{font-size:11px;color:#475569}",
    ".survey .done{color:#166534;font-weight:600;margin:0}"
  ].join("\n");

  // Icons: 24x24 stroke drawings, like the workspace's.
  var ICONS = {
    chat: "M4 5h16v11H9l-5 4z", close: "M6 6l12 12M18 6L6 18", back: "M15 6l-6 6 6 6",
    send: "M4 12l16-8-6 16-2-7z", file: "M6 3h8l4 4v14H6zM14 3v4h4",
    clock: "M12 7v5l3 2M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", search: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4",
    mail: "M3 5h18v14H3zM3 6l9 7 9-7",
    soundOn: "M4 9h4l5-4v14l-5-4H4zM16 9a4 4 0 0 1 0 6M18.5 6.5a8 8 0 0 1 0 11",
    soundOff: "M4 9h4l5-4v14l-5-4H4zM17 9l5 6M22 9l-5 6"
  };
  function icon(name, cls) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    if (cls) svg.setAttribute("class", cls);
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

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
  var badge = h("span", {"class": "badge", "aria-hidden": "true", hidden: true});
  var launcher = h("button", {"class": "launcher", type: "button", "aria-expanded": "false",
                              "aria-controls": "oc-panel", "aria-label": T.open},
                   [icon("chat", "closed-icon"), icon("close", "open-icon"), badge]);
  var closeButton = h("button", {"class": "icon", type: "button", "aria-label": T.close}, [icon("close")]);
  var soundOn = load("sound", true);
  var soundButton = h("button", {"class": "icon", type: "button", "aria-label": T.sound,
                                 "aria-pressed": String(soundOn), hidden: true},
                      [icon("soundOn", "on"), icon("soundOff", "off")]);
  var dot = h("span", {"class": "dot", "aria-hidden": "true"});
  var presence = h("span", {text: T.online});
  var status = h("p", {"class": "note", role: "status"});
  // Home: the customer's choice.
  var greetHome = h("p", {"class": "greet", hidden: true});
  var searchInput = h("input", {type: "search", name: "q", "aria-label": T.searchLabel, placeholder: T.searchLabel});
  var searchForm = h("form", {role: "search"}, [searchInput, h("button", {"class": "primary", type: "submit", text: T.go})]);
  var chatChoice = h("button", {"class": "primary", type: "button", text: T.chat});
  var waitNote = h("p", {"class": "note"});
  var awayText = h("span");
  var awayNote = h("p", {"class": "away", hidden: true}, [icon("clock"), awayText]);
  var emailChoice = h("button", {"class": "choice", type: "button"}, [icon("mail"), h("span", {text: T.email})]);
  var home = h("div", {"class": "view"}, [
    h("div", {"class": "card"}, [greetHome, awayNote, chatChoice, waitNote]),
    h("div", {"class": "card"}, [h("p", {"class": "note", text: T.search}), searchForm]),
    emailChoice, status
  ]);
  // Pre-chat form: the fields the inbox asks for, then the first message.
  var prechatFields = h("div", {"class": "fields"});
  var prechatText = h("textarea", {rows: "3", maxlength: "5000"});
  var prechatError = h("p", {"class": "error", role: "alert"});
  var prechatForm = h("form", {"class": "fields", novalidate: ""}, [
    h("p", {"class": "note", text: T.prechat}), prechatFields,
    h("label", {}, [h("span", {text: T.yourMessage}), prechatText]), prechatError,
    h("button", {"class": "primary", type: "submit", text: T.start})
  ]);
  var prechatBack = h("button", {"class": "icon", type: "button", "aria-label": T.back}, [icon("back")]);
  var prechatView = h("div", {"class": "view chatview", hidden: true}, [
    h("div", {"class": "bar"}, [prechatBack, h("p", {"class": "note", text: T.chat})]), h("div", {"class": "view"}, [prechatForm])
  ]);
  // Chat.
  var greetLine = h("p", {"class": "greeting", hidden: true});
  var log = h("div", {"class": "log", role: "log", "aria-live": "polite", "aria-label": T.log}, [greetLine]);
  var typingLine = h("div", {"class": "typing", "aria-live": "polite"});
  var textarea = h("textarea", {rows: "1", "aria-label": T.yourMessage, placeholder: T.placeholder, maxlength: "5000"});
  var composer = h("form", {"class": "composer"}, [textarea, h("button", {"class": "primary send", type: "submit", "aria-label": T.send}, [icon("send")])]);
  var netNote = h("p", {"class": "note net", role: "status"});
  var chatBack = h("button", {"class": "icon", type: "button", "aria-label": T.back}, [icon("back")]);
  var queueLine = h("p", {"class": "note", role: "status"});
  var chat = h("div", {"class": "view chatview", hidden: true}, [
    h("div", {"class": "bar"}, [chatBack, queueLine]), log, typingLine, netNote, composer
  ]);
  // Leave an e-mail.
  var emailInput = h("input", {type: "email", name: "email", required: "", autocomplete: "email", "aria-label": T.yourEmail, placeholder: T.yourEmail});
  var emailText = h("textarea", {rows: "3", required: "", "aria-label": T.yourMessage, placeholder: T.yourMessage, maxlength: "5000"});
  var emailError = h("p", {"class": "error", role: "alert"});
  var emailForm = h("form", {"class": "stack"}, [
    h("p", {"class": "note", text: T.leaveEmail}), emailInput, emailText,
    h("button", {"class": "primary", type: "submit", text: T.send}), emailError
  ]);
  var emailBack = h("button", {"class": "icon", type: "button", "aria-label": T.back}, [icon("back")]);
  var emailView = h("div", {"class": "view chatview", hidden: true}, [
    h("div", {"class": "bar"}, [emailBack, h("p", {"class": "note", text: T.email})]), h("div", {"class": "view"}, [emailForm])
  ]);
  var panel = h("div", {"class": "panel", id: "oc-panel", role: "dialog", "aria-labelledby": "oc-title", hidden: true}, [
    h("header", {}, [
      h("div", {"class": "titles"}, [h("h2", {id: "oc-title", text: T.title}), h("p", {}, [dot, presence])]),
      soundButton, closeButton
    ]),
    home, prechatView, chat, emailView
  ]);
  root.appendChild(launcher);
  root.appendChild(panel);
  document.body.appendChild(host);
  var views = [home, prechatView, chat, emailView];

  var unread = 0;
  function showUnread() {
    badge.textContent = unread > 9 ? "9+" : String(unread);
    badge.hidden = !unread;
    launcher.setAttribute("aria-label", panel.hidden ? T.open + (unread ? T.unread.replace("%n", unread) : "") : T.close);
  }
  function show(view) {
    views.forEach(function (v) { v.hidden = v !== view; });
    // The choice screen is as tall as its content; a conversation gets the room.
    panel.classList.toggle("tall", view !== home);
    var focus = view === chat ? textarea : view === emailView ? emailInput
      : view === prechatView ? (prechatFields.querySelector("input,select") || prechatText) : chatChoice;
    if (!focus.hidden) focus.focus();
    if (view === chat) { log.scrollTop = log.scrollHeight; unread = 0; showUnread(); acknowledge(); }
  }
  function setOpen(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) { unlockSound(); show(queue.length || lastAgentId || Object.keys(shown).length ? chat : home); }
    showUnread();
  }
  launcher.addEventListener("click", function () { setOpen(panel.hidden); });
  closeButton.addEventListener("click", function () { setOpen(false); launcher.focus(); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { setOpen(false); launcher.focus(); } });
  chatChoice.addEventListener("click", function () { show(needsPrechat() ? prechatView : chat); });
  emailChoice.addEventListener("click", function () { show(emailView); });
  [chatBack, emailBack, prechatBack].forEach(function (b) { b.addEventListener("click", function () { show(home); }); });
  soundButton.addEventListener("click", function () {
    soundOn = !soundOn;
    save("sound", soundOn);
    soundButton.setAttribute("aria-pressed", String(soundOn));
  });

  var config = {help_center_url: base + "/help/", prechat: []};
  searchForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var url = config.help_center_url.replace(/\/$/, "") + "/" + lang + "/search/?q=" + encodeURIComponent(searchInput.value);
    window.open(url, "_blank", "noopener");
  });

  // --- sound: a short soft chime made on the spot (no file to load) --------------------------
  var audio = null;
  function unlockSound() {
    // Browsers let a page play sound only after the visitor did something on it.
    if (audio || !config.sound) return;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (Context) { try { audio = new Context(); } catch (e) { audio = null; } }
  }
  function chime() {
    if (!audio || !soundOn || !config.sound) return;
    try {
      var now = audio.currentTime, tone = audio.createOscillator(), gain = audio.createGain();
      tone.frequency.setValueAtTime(880, now);
      tone.frequency.setValueAtTime(1320, now + 0.09);
      gain.gain.setValueAtTime(0.0001, now);
      gain.gain.exponentialRampToValueAtTime(0.12, now + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.3);
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start(now);
      tone.stop(now + 0.32);
    } catch (e) { /* no sound is no loss */ }
  }

  // --- pre-chat form ---------------------------------------------------------------------------
  var prechatInputs = [];
  function needsPrechat() { return prechatInputs.length > 0 && !load("prechat", false); }
  function buildPrechat(fields) {
    prechatInputs = [];
    (fields || []).forEach(function (f, i) {
      // What a signed-in user's page already says is not asked again.
      if ((f.key === "name" && identity.name) || (f.key === "email" && identity.email)) return;
      var id = "oc-f" + i, input, label = f.attribute ? f.label : T[f.key === "email" ? "yourEmail" : f.key], wrap;
      if (f.type === "choice") {
        input = h("select", {id: id}, [h("option", {value: "", text: T.choose})]);
        (f.choices || []).forEach(function (c) { input.appendChild(h("option", {value: c, text: c})); });
      } else if (f.type === "boolean") {
        input = h("input", {id: id, type: "checkbox"});
      } else {
        var types = {email: "email", phone: "tel", number: "number", date: "date"};
        var auto = {name: "name", email: "email", phone: "tel"};
        input = h("input", {id: id, type: types[f.type] || "text", maxlength: "200"});
        if (auto[f.key] && !f.attribute) input.setAttribute("autocomplete", auto[f.key]);
      }
      if (f.required) input.setAttribute("aria-required", "true");
      var caption = h("span", {text: label}, f.required ? [] : [h("span", {"class": "opt", text: T.optional})]);
      wrap = f.type === "boolean" ? h("label", {"class": "check"}, [input, caption]) : h("label", {}, [caption, input]);
      prechatFields.appendChild(wrap);
      prechatInputs.push({field: f, input: input, label: label});
    });
  }
  prechatForm.addEventListener("submit", function (e) {
    e.preventDefault();
    prechatError.textContent = "";
    var extra = {attributes: {}}, missing = [];
    function check(input, label, empty) {
      input.removeAttribute("aria-invalid");
      if (empty) { missing.push([input, label]); input.setAttribute("aria-invalid", "true"); }
    }
    prechatInputs.forEach(function (p) {
      var value = p.input.type === "checkbox" ? (p.input.checked ? true : "") : p.input.value.trim();
      check(p.input, p.label, p.field.required && value === "");
      if (value === "") return;
      if (p.field.attribute) extra.attributes[p.field.key] = value;
      else extra[p.field.key] = value;
    });
    var text = prechatText.value.trim();
    check(prechatText, T.yourMessage, !text);
    if (missing.length) {
      prechatError.textContent = T.required + missing.map(function (m) { return m[1]; }).join(", ") + ".";
      missing[0][0].focus();
      return;
    }
    save("prechat", true);
    prechatText.value = "";
    show(chat);
    enqueue(text, extra);
  });

  // --- messages ----------------------------------------------------------------------------
  var ready = false; // history shown: what comes after it is news (sound, badge)
  function stateText(m) {
    if (m.from !== "visitor") return "";
    if (m.status === "failed") return T.failed + (m.reason || "");
    return m.id ? T.sent : T.pending;
  }
  function safeUrl(url) {
    try { var u = new URL(url, base); return /^https?:$/.test(u.protocol) ? u.href : ""; }
    catch (e) { return ""; }
  }
  function size(bytes) {
    return bytes > 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }
  function avatar(m) {
    var name = m.author || T.agent, url = m.author_photo && safeUrl(m.author_photo);
    var initial = h("span", {"class": "av", "aria-hidden": "true", text: name.charAt(0).toUpperCase()});
    if (!url) return initial;
    var img = h("img", {"class": "av", src: url, alt: ""});
    // A site whose CSP forbids our images still gets the initial.
    img.addEventListener("error", function () { if (img.parentNode) img.parentNode.replaceChild(initial, img); });
    return img;
  }
  function files(list) {
    var box = h("div", {"class": "files"});
    (list || []).forEach(function (f) {
      var url = safeUrl(f.url || "");
      if (!url) return;
      var link = h("a", {href: url, target: "_blank", rel: "noopener noreferrer"});
      if (/^image\//.test(f.content_type || "")) link.appendChild(h("img", {src: url, alt: f.name || T.file}));
      else {
        link.appendChild(icon("file"));
        link.appendChild(h("span", {text: (f.name || T.file) + (f.size ? " (" + size(f.size) + ")" : "")}));
      }
      box.appendChild(link);
    });
    return box;
  }
  function render(m) {
    var el = (m.id && shown[m.id]) || (m.client_id && pendingEls[m.client_id]);
    var isNew = !el;
    if (!el) {
      var bubble = h("div", {"class": "bubble"}, [h("span", {"class": "body"})]);
      if (m.from === "agent") {
        var last = log.lastElementChild;
        el = h("div", {"class": "msg agent"}, [avatar(m), h("div", {"class": "col"}, [h("span", {"class": "who"}), bubble])]);
        if (last && last.getAttribute("data-author") === (m.author || "")) el.className += " cont";
        el.setAttribute("data-author", m.author || "");
      } else {
        el = h("div", {"class": "msg visitor"}, [bubble, h("span", {"class": "state"})]);
      }
      log.appendChild(el);
      log.scrollTop = log.scrollHeight;
    }
    var who = el.querySelector(".who"), state = el.querySelector(".state"), body = el.querySelector(".body");
    if (who) {
      who.textContent = m.author || T.agent;
      // The bot says what it is, beside its name: never taken for a person.
      if (m.bot) who.appendChild(h("span", {"class": "botmark", text: T.bot}));
    }
    body.textContent = m.text;
    // Only the latest message's choices stand: anything newer answers or replaces them.
    if (isNew) Array.prototype.forEach.call(log.querySelectorAll(".quick"), function (q) { q.parentNode.removeChild(q); });
    if (isNew && m.quick_replies && m.quick_replies.length) {
      var quick = h("div", {"class": "quick", role: "group"});
      m.quick_replies.forEach(function (q) {
        var b = h("button", {type: "button", text: q.label});
        b.addEventListener("click", function () {
          if (quick.parentNode) quick.parentNode.removeChild(quick);
          enqueue(q.value || q.label);
        });
        quick.appendChild(b);
      });
      body.parentNode.parentNode.appendChild(quick);
    }
    if (isNew && m.survey && m.survey.choices && m.survey.choices.length) body.parentNode.parentNode.appendChild(survey(m.survey));
    if (m.attachments && m.attachments.length && !el.querySelector(".files")) body.parentNode.appendChild(files(m.attachments));
    if (state) state.textContent = stateText(m);
    if (m.id) {
      shown[m.id] = el;
      el.setAttribute("data-id", m.id);
      if (m.client_id) delete pendingEls[m.client_id];
    } else if (m.client_id) pendingEls[m.client_id] = el;
    return isNew;
  }
  // A survey's scale: a click answers it by its token (no visitor identity needed), once.
  function survey(s) {
    var box = h("div", {"class": "survey", role: "group", "aria-label": T.survey});
    var scores = h("div", {"class": "scores"});
    var note = h("p", {"class": "error", role: "status"});
    s.choices.forEach(function (c) {
      var score = String(c.id).split(":").pop();
      var b = h("button", {type: "button", text: c.title, "aria-label": T.surveyScore.replace("%s", c.title)});
      b.addEventListener("click", function () {
        Array.prototype.forEach.call(scores.querySelectorAll("button"), function (x) { x.disabled = true; });
        fetch(base + "/survey/" + encodeURIComponent(s.token) + "/answer/", {
          method: "POST", mode: "cors", credentials: "omit",
          headers: {"Content-Type": "application/json"}, body: JSON.stringify({score: Number(score)})
        }).then(function (r) {
          return r.json().catch(function () { return {}; }).then(function (json) {
            if (r.ok || r.status === 410) {
              box.textContent = "";
              box.appendChild(h("p", {"class": "done", role: "status", text: r.ok ? T.surveyThanks : (json.error || T.surveyThanks)}));
            } else {
              note.textContent = json.error || T.failed;
              Array.prototype.forEach.call(scores.querySelectorAll("button"), function (x) { x.disabled = false; });
            }
          });
        }, function () {
          note.textContent = T.offline;
          Array.prototype.forEach.call(scores.querySelectorAll("button"), function (x) { x.disabled = false; });
        });
      });
      scores.appendChild(b);
    });
    box.appendChild(scores);
    var first = s.choices[0].title, last = s.choices[s.choices.length - 1].title;
    if (s.low_label && s.high_label) box.appendChild(h("div", {"class": "ends", text: first + " = " + s.low_label + " · " + last + " = " + s.high_label}));
    box.appendChild(note);
    return box;
  }
  function receive(list) {
    var news = 0;
    (list || []).forEach(function (m) {
      if (m.from === "visitor" && m.client_id) dequeue(m.client_id);
      if (render(m) && m.from === "agent" && ready) news += 1;
      if (m.id > cursor) cursor = m.id;
      if (m.from === "agent" && m.id > lastAgentId) { lastAgentId = m.id; typingLine.textContent = ""; }
    });
    if (news) {
      chime();
      if (panel.hidden || chat.hidden) { unread += news; showUnread(); }
    }
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
  function outgoing(item, frame) {
    ["client_id", "text", "email", "name", "phone", "attributes"].forEach(function (k) { if (item[k] !== undefined) frame[k] = item[k]; });
    return frame;
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
      ws.send(JSON.stringify(outgoing(item, {type: "message"})));
    } else if (polling && navigator.onLine !== false) {
      inflight[item.client_id] = {at: Date.now(), via: "http"};
      post("/messages", outgoing(item, {visitor_id: visitorId, identity: identity}))
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
        ready = true;
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
        if (r.ok) { receive(r.body.messages); ready = true; if ("queue" in r.body) showQueue(r.body.queue); flush(); again(10); }
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
      if (data.position === "left") { launcher.classList.add("left"); panel.classList.add("left"); }
      soundButton.hidden = !data.sound;
      if (data.greeting) {
        greetHome.textContent = greetLine.textContent = data.greeting;
        greetHome.hidden = greetLine.hidden = false;
      }
      buildPrechat(data.prechat);
      if (data.is_open) {
        waitNote.textContent = data.wait_message || "";
      } else {
        chatChoice.hidden = true;
        dot.classList.add("off");
        presence.textContent = T.away;
        var back = data.next_opening ? new Date(data.next_opening).toLocaleString(lang, {weekday: "long", hour: "2-digit", minute: "2-digit"}) : "";
        awayText.textContent = back ? T.closed + back : T.closedNoTime;
        awayNote.hidden = false;
      }
    }, function () { /* offline at load: the socket retries */ });
  queue.forEach(function (item) { render({client_id: item.client_id, from: "visitor", text: item.text}); });
  connect();
})();
