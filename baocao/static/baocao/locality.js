// The bundle page: "Áp dụng" and "Chạy thử" are sent once (a second click while the server works would
// only be refused, but it would confuse).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches(".locality-apply, .locality-upload")) return;
  var button = form.querySelector("button[type=submit]");
  if (button) {
    window.setTimeout(function () { button.disabled = true; }, 0);
  }
});
