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
