// Keel progressive enhancement, written here. Every page works without it.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("click", (event) => {
  const back = event.target.closest("a[data-back]");
  if (back) {
    event.preventDefault();
    history.back();
  }
});
// Register and dashboard filters: choosing a portfolio (or programme) reloads the page so the
// programme and project lists offer only what lies inside it. Without this, "Filter" does the same.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-refresh=scope]");
  if (!select || !select.form) {
    return;
  }
  const inner = select.name === "portfolio" ? ["programme", "project"] : ["project"];
  for (const name of inner) {
    const other = select.form.elements.namedItem(name);
    if (other) {
      other.value = "";
    }
  }
  select.form.requestSubmit();
});
