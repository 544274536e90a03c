// Small progressive enhancements; every page works without this file.
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (event.detail.successful && form.matches && form.matches("form.js-mark-read")) {
    form.closest("li").classList.remove("unread");
    form.remove();
  }
});
document.addEventListener("htmx:responseError", (event) => {
  const target = event.detail.target;
  if (target) {
    target.insertAdjacentHTML("afterbegin",
      '<p class="error" role="alert">That did not work (' + event.detail.xhr.status + '). Reload the page and try again.</p>');
  }
});
