/* The new-conversation form: shows the fields of the chosen inbox (a subject for e-mail, an
   approved template with its variables on WhatsApp) and a live preview of the template as
   the customer will read it. Texts come from the page (data attributes); values are set as
   text, never as markup. */
(function () {
  "use strict";

  function setUp(form) {
    var fields = form.querySelector("[data-template-fields]");
    var variables = form.querySelector("[data-variables]");
    var preview = form.querySelector("[data-preview]");
    var subject = form.querySelector("[data-subject-field]");
    var text = form.querySelector("[data-text-field]");

    function chosenRadio() {
      return form.querySelector("input[name=inbox]:checked");
    }

    function chosenTemplate() {
      var radio = chosenRadio();
      if (!radio) return null;
      var block = form.querySelector('.start-channel[data-inbox="' + radio.value + '"]');
      var select = block && block.querySelector("[data-template-select]");
      return select ? select.options[select.selectedIndex] : null;
    }

    function render() {
      var option = chosenTemplate();
      if (!option) return;
      var values = Array.prototype.map.call(
        variables.querySelectorAll("input"), function (input) { return input.value.trim(); });
      preview.textContent = option.dataset.body.replace(/\{\{\s*(\d+)\s*\}\}/g, function (all, n) {
        var value = values[Number(n) - 1];
        return value ? value : all;
      });
    }

    function buildVariables() {
      var option = chosenTemplate();
      var count = option ? Number(option.dataset.count) : 0;
      var kept = Array.prototype.map.call(
        variables.querySelectorAll("input"), function (input) { return input.value; });
      variables.textContent = "";
      for (var n = 1; n <= count; n++) {
        var field = document.createElement("div");
        field.className = "field";
        var label = document.createElement("label");
        label.htmlFor = "variable-" + n;
        label.textContent = variables.dataset.label.replace("%(n)s", String(n));
        var input = document.createElement("input");
        input.type = "text";
        input.name = "variable";
        input.id = "variable-" + n;
        input.value = kept[n - 1] || "";
        input.addEventListener("input", render);
        field.appendChild(label);
        field.appendChild(input);
        variables.appendChild(field);
      }
      render();
    }

    function update() {
      var radio = chosenRadio();
      form.querySelectorAll(".start-channel").forEach(function (block) {
        var shown = radio && block.dataset.inbox === radio.value;
        block.hidden = !shown;
        block.querySelectorAll("select").forEach(function (select) { select.disabled = !shown; });
      });
      var needsTemplate = Boolean(radio && radio.dataset.needsTemplate);
      fields.hidden = !needsTemplate;
      text.hidden = needsTemplate;
      subject.hidden = !(radio && radio.dataset.hasSubject);
      variables.querySelectorAll("input").forEach(function (input) { input.disabled = !needsTemplate; });
      if (needsTemplate) buildVariables();
    }

    form.querySelectorAll("input[name=inbox]").forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    form.querySelectorAll("[data-template-select]").forEach(function (select) {
      select.addEventListener("change", buildVariables);
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-start-form]").forEach(setUp);
  });
})();
