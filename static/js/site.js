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

// htmx swaps (catalog facets, sorting) change the address without a new page: the
// language switcher and the sign-in link must return to that address, not the first one.
function keepCurrentAddress() {
  const here = window.location.pathname + window.location.search;
  document.querySelectorAll(".language-switcher input[name=next]").forEach((input) => {
    input.value = here;
    input.setAttribute("value", here); // also in the snapshot htmx keeps for "back"
  });
  const signIn = document.getElementById("sign-in-link");
  if (signIn) {
    const url = new URL(signIn.href);
    url.searchParams.set("next", here);
    signIn.href = url.pathname + url.search;
  }
}
["htmx:pushedIntoHistory", "htmx:replacedInHistory", "htmx:historyRestore"].forEach((name) =>
  document.body.addEventListener(name, keepCurrentAddress)
);
window.addEventListener("popstate", keepCurrentAddress);
document.addEventListener("submit", (event) => {
  if (event.target.matches(".language-switcher")) keepCurrentAddress();
});
