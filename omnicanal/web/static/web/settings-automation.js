// Rule builder: when a row's field or action type changes, render the form again so that
// the row shows that type's operators and values (the same as the "Update" button without
// JavaScript). Nothing is saved.
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-rule-refresh]");
  if (!select || !select.form) return;
  const refresh = select.form.querySelector("button.refresh-submit");
  select.form.requestSubmit(refresh);
});
