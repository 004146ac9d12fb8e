// The composer at the bottom of a conversation: Reply / Internal note tabs over one text
// box, the send key the agent chose (Enter or Ctrl+Enter; Shift+Enter always a new line),
// the server-side draft (saved a moment after typing stops, cleared by the send), an emoji
// picker, the e-mail formatting buttons (a small Markdown the server turns into the HTML
// part) and the attachments tray (paperclip, paste, drop) over the form's file input.
// Texts come from data attributes; user data is only ever set as textContent.
(function () {
  "use strict";

  // Loaded once by the workspace; set up again for each conversation opened beside the list
  // (app.js's "omnicanal:conversation-opened"). The previous composer's page-wide listeners
  // are removed with it.
  var previous = null;
  setUp();
  document.addEventListener("omnicanal:conversation-opened", setUp);

  function setUp() {
  var form = document.querySelector("form[data-composer]");
  if (!form || form.dataset.composerReady) return;
  form.dataset.composerReady = "1";
  if (previous) previous.abort();
  previous = new AbortController();
  var pageWide = { signal: previous.signal };
  var textarea = document.getElementById("reply-text");
  var label = form.querySelector("label[for=reply-text]");
  var sendButton = document.getElementById("composer-send");
  var status = document.getElementById("draft-status");
  var panel = document.getElementById("composer-panel");
  var menu = document.getElementById("composer-menu");
  var DRAFT_DELAY_MS = 700;
  var MAX_HEIGHT_SHARE = 0.35;

  // --- Reply or note -------------------------------------------------------------------

  function mode() { return form.dataset.mode === "note" ? "note" : "reply"; }

  function setMode(next, options) {
    var changed = next !== mode();
    form.dataset.mode = next;
    form.classList.toggle("is-note", next === "note");
    form.action = next === "note" ? form.dataset.noteUrl : form.dataset.replyUrl;
    form.querySelectorAll("[data-composer-mode]").forEach(function (tab) {
      var selected = tab.dataset.composerMode === next;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      if (selected) panel.setAttribute("aria-labelledby", tab.id);
    });
    // What only a reply has (channel choice, signature, formatting, files) is neither shown
    // nor posted with a note.
    form.querySelectorAll(".composer-reply-only").forEach(function (element) {
      element.classList.toggle("is-hidden", next === "note");
      element.querySelectorAll("select, input").forEach(function (field) {
        field.disabled = next === "note";
      });
    });
    // Files wait with the reply; a note never carries them.
    var files = form.querySelector("input[type=file][name=attachments]");
    if (files) files.disabled = next === "note";
    label.textContent = next === "note" ? label.dataset.labelNote : label.dataset.labelReply;
    textarea.placeholder = next === "note" ? textarea.dataset.placeholderNote : textarea.dataset.placeholderReply;
    sendButton.querySelector("span").textContent =
      next === "note" ? sendButton.dataset.textNote : sendButton.dataset.textReply;
    if (changed) {
      // A note and a reply are two different requests: one key each.
      form.querySelectorAll("input[data-idempotency-key]").forEach(function (input) {
        input.value = window.omnicanal.newToken();
      });
      if (!(options && options.quiet)) scheduleDraft(0);
    }
  }

  form.querySelectorAll("[data-composer-mode]").forEach(function (tab) {
    tab.addEventListener("click", function () {
      setMode(tab.dataset.composerMode);
      textarea.focus();
    });
    tab.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
      event.preventDefault();
      var other = mode() === "note" ? "reply" : "note";
      setMode(other);
      document.getElementById("composer-tab-" + other).focus();
    });
  });

  // htmx read hx-post once; the tab decides where this request goes.
  form.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt === form) {
      event.detail.path = mode() === "note" ? form.dataset.noteUrl : form.dataset.replyUrl;
    }
  });

  // "r" and "n" outside a field: app.js focuses the box, this picks the tab.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT" || (target && target.isContentEditable)) return;
    if (event.key === "n" || event.key === "r") {
      setMode(event.key === "n" ? "note" : "reply");
      textarea.focus();
      event.preventDefault();
    }
  }, pageWide);

  // --- The box grows with the text, up to a share of the window --------------------------

  function fit() {
    textarea.style.height = "auto";
    var limit = Math.round(window.innerHeight * MAX_HEIGHT_SHARE);
    textarea.style.height = Math.min(textarea.scrollHeight + 2, limit) + "px";
    textarea.style.overflowY = textarea.scrollHeight + 2 > limit ? "auto" : "hidden";
  }

  // The draft is in the box's initial content: form.reset() (app.js, after a send) must
  // empty it, not bring the draft back.
  var restored = textarea.value;
  textarea.defaultValue = "";
  textarea.value = restored;

  // --- Sending keys -------------------------------------------------------------------------

  function menuOpen() { return menu && !menu.hidden; }

  textarea.addEventListener("keydown", function (event) {
    // A suggestion list (canned replies, @mentions) took this Enter to choose.
    if (event.key !== "Enter" || event.isComposing || event.defaultPrevented || menuOpen()) return;
    if (event.shiftKey || event.altKey) return; // always a new line
    var withModifier = event.ctrlKey || event.metaKey;
    var sendsOnEnter = form.dataset.sendWith === "enter";
    if (withModifier || sendsOnEnter) {
      event.preventDefault();
      // app.js also sends on Ctrl+Enter: one submit, not two.
      event.stopPropagation();
      if (textarea.value.trim()) form.requestSubmit();
    }
  });

  // --- Drafts -------------------------------------------------------------------------------

  var draftTimer = null;
  var lastSaved = { text: restored, mode: mode() };
  var queue = Promise.resolve();
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");

  function postDraft(text, draftMode) {
    // One save at a time, in order: an older save may never land after a newer one (or
    // after the send's clearing).
    queue = queue.then(function () {
      var body = new URLSearchParams();
      body.set("text", text);
      body.set("mode", draftMode);
      return window.fetch(form.dataset.draftUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf ? csrf.value : "" },
        body: body
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) throw new Error(answer.error || "HTTP " + response.status);
          lastSaved = { text: text, mode: draftMode };
          status.textContent = answer.saved ? form.dataset.textDraftSaved : "";
          status.classList.remove("is-error");
        });
      }).catch(function () {
        status.textContent = form.dataset.textDraftFailed;
        status.classList.add("is-error");
      });
    });
    return queue;
  }

  function scheduleDraft(delay) {
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(function () {
      draftTimer = null;
      var text = textarea.value;
      if (text === lastSaved.text && mode() === lastSaved.mode) return;
      postDraft(text, mode());
    }, delay === undefined ? DRAFT_DELAY_MS : delay);
  }

  textarea.addEventListener("input", function () {
    fit();
    status.textContent = "";
    scheduleDraft();
  });

  form.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt === form) window.clearTimeout(draftTimer);
  });

  form.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form || !event.detail.successful) return;
    // The server deleted the draft with the send; a save still on its way must not bring
    // it back, hence one more (empty) save queued after it.
    window.clearTimeout(draftTimer);
    if (lastSaved.text) postDraft("", mode());
    lastSaved = { text: "", mode: mode() };
    status.textContent = "";
    clearFiles();
    window.setTimeout(fit, 0);
  });

  // Leaving the page with a save pending: send it now, the browser finishes it.
  window.addEventListener("pagehide", function () {
    if (draftTimer === null) return;
    window.clearTimeout(draftTimer);
    var body = new FormData();
    body.set("text", textarea.value);
    body.set("mode", mode());
    body.set("csrfmiddlewaretoken", csrf ? csrf.value : "");
    navigator.sendBeacon(form.dataset.draftUrl, body);
  }, pageWide);

  // --- Inserting at the caret ----------------------------------------------------------------

  function insertText(text, selectFrom, selectTo) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    textarea.focus();
    textarea.setRangeText(text, start, end, "end");
    if (selectFrom !== undefined) {
      textarea.setSelectionRange(start + selectFrom, start + selectTo);
    }
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // --- Formatting (e-mail) ---------------------------------------------------------------------

  function wrap(marker) {
    var start = textarea.selectionStart;
    var selected = textarea.value.slice(start, textarea.selectionEnd);
    insertText(marker + selected + marker, marker.length, marker.length + selected.length);
  }

  function listLines(numbered) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var endAt = value.indexOf("\n", textarea.selectionEnd);
    var end = endAt < 0 ? value.length : endAt;
    var lines = value.slice(start, end).split("\n").map(function (line, index) {
      return (numbered ? (index + 1) + ". " : "- ") + line.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, "");
    });
    textarea.setSelectionRange(start, end);
    var text = lines.join("\n");
    insertText(text, text.length, text.length);
  }

  function link() {
    var start = textarea.selectionStart;
    var selected = textarea.value.slice(start, textarea.selectionEnd) || form.dataset.textLink;
    var text = "[" + selected + "](https://)";
    // The caret lands after "https://", where the address is typed.
    insertText(text, text.length - 1, text.length - 1);
  }

  var FORMATS = {
    bold: function () { wrap("**"); },
    italic: function () { wrap("*"); },
    bulleted: function () { listLines(false); },
    numbered: function () { listLines(true); },
    link: link
  };

  form.querySelectorAll("[data-format]").forEach(function (button) {
    // mousedown: the text box keeps its selection.
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      var format = FORMATS[button.dataset.format];
      if (format) format();
    });
  });

  if (form.querySelector("[data-format]")) {
    textarea.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || mode() === "note") return;
      var key = event.key.toLowerCase();
      var name = key === "b" ? "bold" : key === "i" ? "italic" : key === "k" ? "link" : "";
      if (!name) return;
      event.preventDefault();
      FORMATS[name]();
    });
  }

  // --- Emoji ------------------------------------------------------------------------------------

  // [emoji, category, English words, French words]
  var EMOJI = [
    ["😀", "smileys", "grin smile happy", "sourire content"],
    ["😊", "smileys", "smile blush happy", "sourire heureux"],
    ["🙂", "smileys", "slight smile", "sourire léger"],
    ["😉", "smileys", "wink", "clin d'oeil"],
    ["😂", "smileys", "joy laugh tears", "rire larmes"],
    ["😍", "smileys", "love heart eyes", "amour coeur"],
    ["🤔", "smileys", "thinking hmm", "réfléchir pensif"],
    ["😅", "smileys", "sweat relief", "soulagement gêne"],
    ["😢", "smileys", "sad cry", "triste pleurer"],
    ["😮", "smileys", "surprised wow", "surpris étonné"],
    ["😎", "smileys", "cool sunglasses", "cool lunettes"],
    ["🙏", "gestures", "thanks please pray", "merci svp prier"],
    ["👍", "gestures", "thumbs up ok yes good", "pouce oui bien"],
    ["👎", "gestures", "thumbs down no bad", "pouce non"],
    ["👋", "gestures", "wave hello bye", "salut bonjour au revoir"],
    ["👏", "gestures", "clap bravo", "applaudir bravo"],
    ["🙌", "gestures", "hooray celebrate", "hourra fête"],
    ["💪", "gestures", "strong muscle", "fort courage"],
    ["🤝", "gestures", "handshake deal", "poignée de main accord"],
    ["👌", "gestures", "ok perfect", "parfait ok"],
    ["✌️", "gestures", "peace victory", "paix victoire"],
    ["📦", "objects", "package parcel box delivery", "colis paquet livraison"],
    ["🚚", "objects", "truck delivery shipping", "camion livraison"],
    ["📧", "objects", "email mail", "courriel mail"],
    ["📞", "objects", "phone call", "téléphone appel"],
    ["💳", "objects", "card payment", "carte paiement"],
    ["🧾", "objects", "receipt invoice", "reçu facture"],
    ["📅", "objects", "calendar date", "calendrier date"],
    ["⏰", "objects", "alarm clock time", "réveil heure"],
    ["🔑", "objects", "key password", "clé mot de passe"],
    ["🎁", "objects", "gift present", "cadeau"],
    ["🎉", "objects", "party tada celebrate", "fête bravo"],
    ["💡", "objects", "idea tip", "idée astuce"],
    ["✅", "symbols", "check done yes", "fait validé oui"],
    ["❌", "symbols", "cross no wrong", "non erreur"],
    ["⚠️", "symbols", "warning", "attention avertissement"],
    ["❗", "symbols", "important exclamation", "important"],
    ["❓", "symbols", "question", "question"],
    ["❤️", "symbols", "heart love", "coeur amour"],
    ["⭐", "symbols", "star", "étoile"],
    ["🔥", "symbols", "fire hot", "feu urgent"],
    ["➡️", "symbols", "arrow right next", "flèche droite suivant"],
    ["💯", "symbols", "hundred perfect", "cent parfait"],
    ["🕐", "symbols", "time hour wait", "heure attente"]
  ];
  var CATEGORIES = ["smileys", "gestures", "objects", "symbols"];
  var picker = document.getElementById("emoji-picker");
  var emojiButton = document.getElementById("emoji-button");
  var search = document.getElementById("emoji-search");
  var grid = document.getElementById("emoji-grid");
  var French = (document.documentElement.lang || "").indexOf("fr") === 0;
  var caret = null;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function renderEmoji() {
    var query = fold(search.value.trim());
    grid.textContent = "";
    var shown = 0;
    CATEGORIES.forEach(function (category) {
      var matches = EMOJI.filter(function (item) {
        return item[1] === category && (!query || fold(item[2] + " " + item[3]).indexOf(query) >= 0);
      });
      if (!matches.length) return;
      var heading = document.createElement("p");
      heading.className = "emoji-category";
      heading.id = "emoji-category-" + category;
      heading.textContent = picker.dataset["category" + category[0].toUpperCase() + category.slice(1)];
      var group = document.createElement("div");
      group.className = "emoji-group";
      group.setAttribute("role", "group");
      group.setAttribute("aria-labelledby", heading.id);
      matches.forEach(function (item) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "emoji-option";
        button.textContent = item[0];
        var name = (French ? item[3] : item[2]).split(" ")[0];
        button.setAttribute("aria-label", item[0] + " " + name);
        button.title = name;
        button.addEventListener("click", function () { chooseEmoji(item[0]); });
        group.append(button);
        shown += 1;
      });
      grid.append(heading, group);
    });
    if (!shown) {
      var empty = document.createElement("p");
      empty.className = "emoji-empty";
      empty.textContent = picker.dataset.textNoMatch;
      grid.append(empty);
    }
  }

  function openPicker() {
    caret = [textarea.selectionStart, textarea.selectionEnd];
    search.value = "";
    renderEmoji();
    picker.hidden = false;
    emojiButton.setAttribute("aria-expanded", "true");
    search.focus();
  }

  function closePicker(refocus) {
    if (picker.hidden) return;
    picker.hidden = true;
    emojiButton.setAttribute("aria-expanded", "false");
    if (refocus) textarea.focus();
  }

  function chooseEmoji(emoji) {
    closePicker(true);
    if (caret) textarea.setSelectionRange(caret[0], caret[1]);
    insertText(emoji);
  }

  emojiButton.addEventListener("click", function () {
    if (picker.hidden) openPicker(); else closePicker(true);
  });
  search.addEventListener("input", renderEmoji);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      event.stopPropagation();
      var first = grid.querySelector(".emoji-option");
      if (first) chooseEmoji(first.textContent);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      var option = grid.querySelector(".emoji-option");
      if (option) option.focus();
    }
  });
  grid.addEventListener("keydown", function (event) {
    var options = Array.prototype.slice.call(grid.querySelectorAll(".emoji-option"));
    var index = options.indexOf(document.activeElement);
    if (index < 0) return;
    var columns = 8;
    var moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
    if (!(event.key in moves)) return;
    event.preventDefault();
    var next = index + moves[event.key];
    if (next < 0) { search.focus(); return; }
    if (options[Math.min(next, options.length - 1)]) options[Math.min(next, options.length - 1)].focus();
  });
  picker.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      closePicker(true);
    }
  });
  document.addEventListener("click", function (event) {
    if (!picker.hidden && !picker.contains(event.target) && !emojiButton.contains(event.target)) {
      closePicker(false);
    }
  }, pageWide);

  // --- Attachments: the form's file input, fed by the paperclip, paste and drop ---------------

  var fileInput = form.querySelector("input[type=file][name=attachments]");
  var attachButton = document.getElementById("attach-button");
  var fileList = document.getElementById("composer-files");
  var dropZone = form.querySelector("[data-drop-zone]");

  var UNITS = (form.dataset.textSizeUnits || "B KB MB").split(" ");

  function humanSize(bytes) {
    if (bytes < 1024) return bytes + " " + UNITS[0];
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " " + UNITS[1];
    return (bytes / 1024 / 1024).toLocaleString(document.documentElement.lang || undefined,
      { maximumFractionDigits: 1 }) + " " + UNITS[2];
  }

  function setFiles(files) {
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    fileInput.files = transfer.files;
    renderFiles();
  }

  function currentFiles() { return fileInput ? Array.prototype.slice.call(fileInput.files) : []; }

  function addFiles(files) {
    if (!fileInput || !files.length || mode() === "note") return;
    setFiles(currentFiles().concat(Array.prototype.slice.call(files)));
  }

  function clearFiles() {
    if (fileInput && fileInput.files.length) setFiles([]);
  }

  function renderFiles() {
    var files = currentFiles();
    fileList.textContent = "";
    fileList.hidden = !files.length;
    files.forEach(function (file, index) {
      var chip = document.createElement("li");
      chip.className = "composer-file";
      var name = document.createElement("span");
      name.className = "composer-file-name";
      name.textContent = file.name;
      var size = document.createElement("span");
      size.className = "composer-file-size";
      size.textContent = humanSize(file.size);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "composer-file-remove";
      remove.setAttribute("aria-label", form.dataset.textRemove.replace("{name}", file.name));
      remove.textContent = "×";
      remove.addEventListener("click", function () {
        setFiles(currentFiles().filter(function (_, i) { return i !== index; }));
        textarea.focus();
      });
      chip.append(name, size, remove);
      fileList.append(chip);
    });
  }

  if (fileInput) {
    // The paperclip is the control; the input behind it still has a name for assistive tech.
    fileInput.classList.add("visually-hidden");
    fileInput.tabIndex = -1;
    if (!fileInput.labels.length && !fileInput.hasAttribute("aria-label")) {
      fileInput.setAttribute("aria-label", attachButton.title);
    }
    attachButton.hidden = false;
    attachButton.addEventListener("click", function () { fileInput.click(); });
    fileInput.addEventListener("change", renderFiles);
    textarea.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) {
        event.preventDefault();
        addFiles(files);
      }
    });
    ["dragenter", "dragover"].forEach(function (name) {
      dropZone.addEventListener(name, function (event) {
        if (!event.dataTransfer || Array.prototype.indexOf.call(event.dataTransfer.types, "Files") < 0) return;
        event.preventDefault();
        dropZone.classList.add("is-dropping");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      dropZone.addEventListener(name, function () { dropZone.classList.remove("is-dropping"); });
    });
    dropZone.addEventListener("drop", function (event) {
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      addFiles(event.dataTransfer.files);
    });
  }

  // The hook for other parts of the page (the knowledge base's "insert an article link"
  // button, beside the formatting tools): text goes in at the caret like an emoji, and
  // counts for the draft; `link` writes a link the e-mail will show as one.
  window.omnicanalComposer = {
    mode: mode,
    insert: function (text) { insertText(text); },
    insertLink: function (title, url) {
      var text = FORMATS.link && form.querySelector("[data-format]")
        ? "[" + title + "](" + url + ")" : title + " " + url;
      insertText(text);
    }
  };

  setMode(mode(), { quiet: true });
  fit();
  }
})();
