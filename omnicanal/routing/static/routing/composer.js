// The "/" menu of the reply box. Typing "/" at the start of a word opens a list of canned
// replies and macros filtered by what follows; arrows move, Enter inserts, Escape closes.
// A canned reply inserts its text, rendered by the server for this conversation; a macro is
// applied by the server (label, priority, status…) in one POST, its reply text fills the box
// and the conversation refreshes. Nothing is sent to the customer: the agent still reviews
// and sends. Texts come from data attributes; user data is only ever set as textContent.
(function () {
  "use strict";

  // Loaded once by the workspace; set up again for each conversation opened beside the list.
  setUp();
  document.addEventListener("omnicanal:conversation-opened", setUp);

  function setUp() {
  var menu = document.getElementById("composer-menu");
  if (!menu || menu.dataset.ready) return;
  menu.dataset.ready = "1";
  var textarea = document.getElementById(menu.dataset.textarea);
  var list = document.getElementById("composer-options");
  var status = document.getElementById("composer-status");
  if (!textarea || !list) return;

  var items = null; // loaded on the first "/"
  var loading = null;
  var shown = [];
  var active = -1;
  var token = null; // {start, end, query} of the "/word" being typed

  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", "composer-options");
  // No aria-expanded: a textarea (role textbox) may not carry it (axe: aria-allowed-attr).

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function csrfToken() {
    var field = textarea.form && textarea.form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function load() {
    if (!loading) {
      var get = function (url) {
        return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status);
            return response.json();
          });
      };
      loading = Promise.all([get(menu.dataset.cannedUrl), get(menu.dataset.macrosUrl)])
        .then(function (results) {
          items = results[0].map(function (canned) {
            return {kind: "canned", id: canned.id, shortcut: canned.shortcut,
                    title: canned.title, text: canned.text};
          }).concat(results[1].map(function (macro) {
            return {kind: "macro", id: macro.id, shortcut: macro.shortcut,
                    title: macro.name, text: ""};
          }));
        })
        .catch(function () { loading = null; });
    }
    return loading;
  }

  // The "/word" that ends at the caret, if the caret is in one.
  function currentToken() {
    var caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) return null;
    var before = textarea.value.slice(0, caret);
    var match = /(^|\s)\/([^\s\/]*)$/.exec(before);
    if (!match) return null;
    var start = caret - match[2].length - 1;
    return {start: start, end: caret, query: match[2]};
  }

  function close() {
    menu.hidden = true;
    textarea.removeAttribute("aria-activedescendant");
    active = -1;
    token = null;
  }

  function select(index) {
    var options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    textarea.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({block: "nearest"});
  }

  function render() {
    var query = fold(token.query);
    shown = items.filter(function (item) {
      return fold(item.shortcut).indexOf(query) >= 0 || fold(item.title).indexOf(query) >= 0;
    });
    list.textContent = "";
    shown.forEach(function (item, i) {
      var option = document.createElement("li");
      option.id = "composer-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.kind = item.kind;
      var kind = document.createElement("span");
      kind.className = "composer-kind";
      kind.textContent = item.kind === "macro" ? menu.dataset.textMacro : menu.dataset.textCanned;
      var shortcut = document.createElement("span");
      shortcut.className = "composer-shortcut";
      shortcut.textContent = "/" + item.shortcut;
      var title = document.createElement("strong");
      title.textContent = item.title;
      option.append(kind, shortcut, title);
      if (item.text) {
        var preview = document.createElement("span");
        preview.className = "composer-preview";
        preview.textContent = item.text;
        option.append(preview);
      }
      // mousedown, not click: the textarea must keep its focus and caret.
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(i);
      });
      list.append(option);
    });
    if (!shown.length) {
      var empty = document.createElement("li");
      empty.className = "composer-empty";
      empty.textContent = menu.dataset.textEmpty;
      list.append(empty);
    }
    menu.hidden = false;
    if (shown.length) select(0);
    else textarea.removeAttribute("aria-activedescendant");
  }

  function replaceToken(range, text) {
    var value = textarea.value;
    textarea.value = value.slice(0, range.start) + text + value.slice(range.end);
    var caret = range.start + text.length;
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", {bubbles: true}));
    textarea.focus();
  }

  function choose(index) {
    var item = shown[index];
    var range = token;
    close();
    if (!item || !range) return;
    if (item.kind === "canned") {
      replaceToken(range, item.text);
      return;
    }
    status.textContent = "";
    fetch(menu.dataset.applyUrl + item.id, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), Accept: "application/json"}
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.detail || "HTTP " + response.status);
        return body;
      });
    }).then(function (body) {
      replaceToken(range, body.reply_text);
      var live = document.getElementById("conversation-live");
      if (live && window.htmx) window.htmx.trigger(live, "omnicanal:refresh");
    }).catch(function (error) {
      status.textContent = menu.dataset.textFailed + " " + error.message;
    });
  }

  function update() {
    token = currentToken();
    if (!token) {
      close();
      return;
    }
    var pending = token;
    load().then(function () {
      if (items && token === pending) render();
    });
  }

  textarea.addEventListener("input", update);
  textarea.addEventListener("click", update);
  textarea.addEventListener("blur", close);
  textarea.addEventListener("keydown", function (event) {
    if (menu.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      select(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
      if (active < 0) return;
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      // The workspace's own Escape would leave the box; here it only closes the menu.
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  }
})();
