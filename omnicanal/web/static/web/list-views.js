// The list's toolbar: the bulk bar takes the toolbar's place while rows are checked, and
// the toolbar's menus (<details>) close like menus: one at a time, on Escape, on a click
// elsewhere.
(function () {
  "use strict";

  function toolbar() {
    return document.getElementById("list-toolbar");
  }

  function checkedBoxes() {
    return Array.prototype.slice.call(
      document.querySelectorAll("input.row-select[form=bulk-form]:checked"));
  }

  function closeMenus(except) {
    document.querySelectorAll("#list-toolbar details[open]").forEach(function (menu) {
      if (!except || (menu !== except && !menu.contains(except))) menu.open = false;
    });
  }

  function update() {
    var bar = document.querySelector("[data-bulk-bar]");
    var rest = document.querySelector("[data-toolbar-rest]");
    if (!bar || !rest) return;
    var count = checkedBoxes().length;
    var hasSelection = count > 0;
    if (bar.hidden === !hasSelection) {
      // Unchanged visibility: only the number may have moved.
      if (hasSelection) setCount(bar, count);
      return;
    }
    closeMenus();
    bar.hidden = !hasSelection;
    rest.hidden = hasSelection;
    if (hasSelection) setCount(bar, count);
  }

  function setCount(bar, count) {
    var label = bar.querySelector("[data-bulk-count]");
    label.textContent = count === 1
      ? label.dataset.textOne
      : label.dataset.textMany.replace("{count}", String(count));
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input.row-select")) update();
  });
  // The "x" shortcut checks a row from script, which fires no change event.
  document.addEventListener("keyup", function (event) {
    if (event.key === "x") update();
  });
  // After a bulk change or a live refresh the rows are new, and unchecked.
  document.addEventListener("htmx:afterSwap", update);

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest && target.closest("[data-bulk-clear]")) {
      checkedBoxes().forEach(function (box) { box.checked = false; });
      update();
      var first = document.querySelector(".conversation-row .row-contact");
      if (first) first.focus();
      return;
    }
    var box = toolbar();
    if (box && !box.contains(target)) closeMenus();
  });

  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu.tagName !== "DETAILS" || !menu.open || !menu.closest("#list-toolbar")) return;
    closeMenus(menu);
    var field = menu.querySelector(".menu-panel select, .menu-panel input:not([type=hidden])");
    if (field && menu.classList.contains("bulk-menu")) field.focus();
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var innermost = Array.prototype.slice.call(
      document.querySelectorAll("#list-toolbar details[open]")).pop();
    if (!innermost) return;
    innermost.open = false;
    var summary = innermost.querySelector("summary");
    if (summary) summary.focus();
    event.stopPropagation();
  }, true);

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", update);
  else update();
})();
