// The quick form: Ctrl+Enter (⌘+Enter on a Mac) posts from the text box, once;
// Delete asks first.
(function () {
  "use strict";
  const form = document.getElementById("live-entry-form");
  if (form) {
    let sent = false;
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (!sent) form.requestSubmit();
      }
    });
    form.addEventListener("submit", () => {
      sent = true;
    });
  }
  document.querySelectorAll(".live-quick__delete").forEach((deleteForm) => {
    deleteForm.addEventListener("submit", (event) => {
      const button = deleteForm.querySelector("[data-confirm]");
      if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
})();
