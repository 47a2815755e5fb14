// Small progressive enhancements; every page works without them.
document.body.addEventListener("htmx:responseError", (event) => {
  const box = document.getElementById("htmx-error");
  if (box) {
    box.textContent = event.detail.xhr.statusText || "Error";
    box.hidden = false;
  }
});
