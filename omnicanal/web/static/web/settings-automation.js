// Rule builder: when a row's field or action type changes, render the form again so that
// the row shows that type's operators and values (the same as the "Update" button without
// JavaScript), back at that row. Nothing is saved.
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-rule-refresh]");
  if (!select || !select.form) return;
  const row = select.closest(".rule-row");
  const refresh = select.form.querySelector("button.refresh-submit");
  if (row) refresh.setAttribute("formaction", "#" + row.id);
  select.form.requestSubmit(refresh);
});
