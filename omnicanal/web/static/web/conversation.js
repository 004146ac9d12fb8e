/* The conversation pane: the header's menus and dialogs, the history blocks, the contact
   panel's sections. Menus follow the disclosure pattern (a button with aria-expanded that
   shows a panel): Escape closes and gives the focus back to the button; the arrows move
   between the items. The header is re-rendered by every live refresh and every action, so
   what is open is remembered here and put back after the swap. */
(function () {
  "use strict";

  var body = document.body;
  var openHistory = {};  // history block id -> true while the agent keeps it open
  var STORAGE_PREFIX = "omnicanal.panel.";

  function panelOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function focusables(panel) {
    return Array.prototype.filter.call(
      panel.querySelectorAll("button, input, select, textarea, a[href]"),
      function (element) { return !element.disabled && element.offsetParent !== null; });
  }

  function closeMenu(button, giveFocusBack) {
    var panel = panelOf(button);
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (giveFocusBack) button.focus();
  }

  function closeAll(except) {
    document.querySelectorAll("[data-menu] > button[aria-expanded=true]").forEach(function (button) {
      if (button !== except) closeMenu(button, false);
    });
  }

  function openMenu(button, moveFocus) {
    var panel = panelOf(button);
    if (!panel) return;
    closeAll(button);
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    if (moveFocus) {
      // A choice menu starts on the current choice, as a select would.
      var pressed = panel.hasAttribute("data-focus-pressed") && panel.querySelector("[aria-pressed=true]");
      (pressed || focusables(panel)[0] || button).focus();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-menu] > button[aria-controls]");
    if (button) {
      if (button.getAttribute("aria-expanded") === "true") closeMenu(button, true);
      else openMenu(button, true);
      return;
    }
    if (!event.target.closest("[data-menu]")) closeAll(null);

    var opener = event.target.closest("[data-open-dialog]");
    if (opener) openDialog(opener);
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog").close();

    var retry = event.target.closest("[data-retry-text]");
    if (retry) {
      var reply = document.getElementById("reply-text");
      if (reply) {
        reply.value = retry.dataset.retryText;
        reply.dispatchEvent(new Event("input", { bubbles: true }));
        reply.focus();
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    var menu = event.target.closest && event.target.closest("[data-menu]");
    if (!menu) return;
    var button = menu.querySelector(":scope > button[aria-controls]");
    var panel = panelOf(button);
    if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      event.stopPropagation();
      closeMenu(button, true);
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    if (event.target.tagName === "INPUT" && event.target.type !== "submit") return;
    event.preventDefault();
    if (panel.hidden) { openMenu(button, true); return; }
    var items = focusables(panel);
    var index = items.indexOf(document.activeElement);
    var next = event.key === "ArrowDown" ? index + 1 : index - 1;
    if (index < 0) next = 0;
    items[(next + items.length) % items.length].focus();
  });

  // Tabbing out of an open menu closes it: a panel left open behind the focus is lost.
  document.addEventListener("focusout", function (event) {
    var menu = event.target.closest && event.target.closest("[data-menu]");
    if (!menu || !event.relatedTarget || menu.contains(event.relatedTarget)) return;
    var button = menu.querySelector(":scope > button[aria-controls]");
    closeMenu(button, false);
  });

  // The "l" shortcut (app.js) focuses the label field, which lives in the labels menu:
  // open the menu first, in the capture phase, so that the field can take the focus.
  window.addEventListener("keydown", function (event) {
    if (event.key !== "l" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var button = document.getElementById("labels-menu-button");
    if (button) openMenu(button, false);
  }, true);

  // Dialogs of the "More actions" menu: the focus goes back to the menu's button on close.
  var dialogOpener = null;

  function openDialog(opener) {
    var dialog = document.getElementById(opener.dataset.openDialog);
    if (!dialog) return;
    var menuButton = opener.closest("[data-menu]");
    dialogOpener = menuButton ? menuButton.querySelector(":scope > button").id : null;
    closeAll(null);
    dialog.showModal();
  }

  document.querySelectorAll("dialog.tool-dialog").forEach(function (dialog) {
    dialog.addEventListener("close", function () {
      var button = dialogOpener && document.getElementById(dialogOpener);
      if (button) button.focus();
    });
  });

  // Refreshes and actions re-render the header and the timeline.
  var beforeSwap = null;

  body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var open = target && target.querySelector && target.querySelector("[data-menu] > button[aria-expanded=true]");
    var active = document.activeElement;
    beforeSwap = {
      menu: open ? open.id : null,
      focus: active && active.id && target.contains(active) ? active.id : null,
      focusInMenu: !!(open && active && open.parentNode.contains(active))
    };
  });

  body.addEventListener("htmx:afterSwap", function (event) {
    var state = beforeSwap;
    beforeSwap = null;
    if (!state || !state.menu) return;
    var button = document.getElementById(state.menu);
    if (!button) return;
    var request = event.detail.requestConfig;
    if (request && request.verb === "post") {
      // The agent's own choice from the menu: done, the focus goes back to its button.
      if (state.focusInMenu) button.focus();
      return;
    }
    // A colleague's change arrived while the menu was open: keep it open, focus in place.
    openMenu(button, false);
    var focused = state.focus && document.getElementById(state.focus);
    if (focused) focused.focus();
    else if (state.focusInMenu) button.focus();
  });

  // Open history blocks (for this page) and the panel's sections (remembered for good).
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.id) return;
    if (details.classList.contains("history-block")) {
      if (details.open) openHistory[details.id] = true; else delete openHistory[details.id];
    } else if (details.hasAttribute("data-remember")) {
      try { window.localStorage.setItem(STORAGE_PREFIX + details.id, details.open ? "open" : "closed"); } catch (e) { /* private mode */ }
    }
  }, true);

  function restore(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("details.history-block").forEach(function (details) {
      if (openHistory[details.id]) details.open = true;
    });
    root.querySelectorAll("details[data-remember]").forEach(function (details) {
      var saved = null;
      try { saved = window.localStorage.getItem(STORAGE_PREFIX + details.id); } catch (e) { /* private mode */ }
      if (saved) details.open = saved === "open";
    });
  }

  body.addEventListener("htmx:load", function (event) { restore(event.detail.elt.parentNode || event.detail.elt); });
  restore(document);
})();
