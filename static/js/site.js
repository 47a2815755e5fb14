// Small progressive enhancements; every page works without them.
document.body.addEventListener("htmx:responseError", (event) => {
  const box = document.getElementById("htmx-error");
  if (box) {
    box.textContent = event.detail.xhr.statusText || "Error";
    box.hidden = false;
  }
});

// A form sent back with errors: its summary takes the focus, so a screen reader reads
// what to correct, and each of its links moves the focus to the field it names.
const errorSummary = document.querySelector("[data-error-summary]");
if (errorSummary) {
  errorSummary.focus();
  errorSummary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
    }
  });
}
