// Forms whose action takes seconds inside the request (class "js-busy", e.g. "Ký số và ban hành"):
// on submit the button is disabled (no second click) and the form's data-busy text is shown.
(function () {
  for (const form of document.querySelectorAll("form.js-busy")) {
    form.addEventListener("submit", function () {
      const status = form.querySelector(".js-busy-status");
      if (status) status.textContent = form.dataset.busy || "Đang xử lý…";
      for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = true;
    });
  }
})();
