// The article editor's toolbar: bold, italic, heading, link and lists edit the Markdown in
// the textarea around the selection; "Insert" puts a file's Markdown at the cursor, and a
// freshly uploaded file's is inserted as it arrives. Each change fires "input", which the
// preview (htmx) listens to.
(function () {
  "use strict";

  function textarea() {
    return document.querySelector(".kb-editor-page textarea[name=body]");
  }

  function changed(area) {
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
  }

  function replace(area, start, end, text, selectFrom, selectTo) {
    area.setRangeText(text, start, end, "end");
    if (selectFrom !== undefined) area.setSelectionRange(start + selectFrom, start + selectTo);
    changed(area);
  }

  function wrap(area, marker, placeholder) {
    var start = area.selectionStart, end = area.selectionEnd;
    var inner = area.value.slice(start, end) || placeholder;
    replace(area, start, end, marker + inner + marker, marker.length, marker.length + inner.length);
  }

  function prefixLines(area, prefixFor) {
    var value = area.value;
    var start = value.lastIndexOf("\n", area.selectionStart - 1) + 1;
    var end = area.selectionEnd;
    var lineEnd = value.indexOf("\n", end);
    if (lineEnd === -1) lineEnd = value.length;
    var lines = value.slice(start, lineEnd).split("\n");
    var text = lines.map(function (line, index) { return prefixFor(index) + line; }).join("\n");
    replace(area, start, lineEnd, text, text.length, text.length);
  }

  function insertAtCursor(area, text) {
    var start = area.selectionStart, end = area.selectionEnd;
    var before = area.value.slice(0, start);
    var lead = before && !before.endsWith("\n") ? "\n\n" : "";
    replace(area, start, end, lead + text + "\n", lead.length + text.length + 1,
            lead.length + text.length + 1);
  }

  var formats = {
    bold: function (area) { wrap(area, "**", "text"); },
    italic: function (area) { wrap(area, "_", "text"); },
    heading: function (area) { prefixLines(area, function () { return "## "; }); },
    list: function (area) { prefixLines(area, function () { return "- "; }); },
    numbered: function (area) { prefixLines(area, function (i) { return (i + 1) + ". "; }); },
    link: function (area, button) {
      var url = window.prompt(button.dataset.kbPrompt || "URL", "https://");
      if (!url) return;
      var start = area.selectionStart, end = area.selectionEnd;
      var label = area.value.slice(start, end) || url;
      replace(area, start, end, "[" + label + "](" + url + ")", 1, 1 + label.length);
    }
  };

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-format], [data-kb-markdown]");
    var area = textarea();
    if (!button || !area || area.readOnly) return;
    event.preventDefault();
    if (button.dataset.kbMarkdown) {
      insertAtCursor(area, button.dataset.kbMarkdown);
    } else if (formats[button.dataset.kbFormat]) {
      formats[button.dataset.kbFormat](area, button);
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    var files = document.getElementById("kb-files");
    var area = textarea();
    if (files && area && files.dataset.kbInsert) {
      insertAtCursor(area, files.dataset.kbInsert);
      delete files.dataset.kbInsert;
    }
  });
})();
