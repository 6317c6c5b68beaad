// review.js — the receiving table's bulk accept / approve (collection/review.html; no inline JS: CSP).
//
// "Tiếp nhận/Phê duyệt các biểu đã chọn" opens a <dialog> that lists the checked forms the step applies
// to (a checkbox carries data-bulk-step="accept|approve" and data-form-label); "Đồng ý" posts only
// those, "Hủy" closes it. "Chọn tất cả" checks the rows the table filter shows.
(function () {
  "use strict";

  function init() {
    const form = document.getElementById("bulk-form");
    const dialog = document.getElementById("bulk-confirm");
    if (!form || !dialog || typeof dialog.showModal !== "function") return;
    const title = document.getElementById("bulk-confirm-title");
    const list = document.getElementById("bulk-confirm-list");
    const none = document.getElementById("bulk-confirm-none");
    const ok = document.getElementById("bulk-confirm-ok");
    const cancel = document.getElementById("bulk-confirm-cancel");
    const boxes = () => Array.from(form.querySelectorAll('input[name="submission"]'));

    const all = document.getElementById("bulk-all");
    if (all) {
      all.addEventListener("change", function () {
        boxes().forEach(function (box) {
          const row = box.closest("tr");
          if (!row || !row.hidden) box.checked = all.checked;
        });
      });
    }

    form.querySelectorAll("button[data-bulk-verb]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        const step = button.value;
        const chosen = boxes().filter((box) => box.checked && box.dataset.bulkStep === step);
        const others = boxes().filter((box) => box.checked && box.dataset.bulkStep !== step).length;
        list.replaceChildren();
        chosen.forEach(function (box) {
          const item = document.createElement("li");
          item.textContent = box.dataset.formLabel;
          list.appendChild(item);
        });
        if (others) {
          const item = document.createElement("li");
          item.className = "muted";
          item.textContent = others + " biểu khác đã chọn không ở trạng thái để " +
            button.dataset.bulkVerb.toLowerCase() + ": bỏ qua.";
          list.appendChild(item);
        }
        title.textContent = chosen.length
          ? button.dataset.bulkVerb + " " + chosen.length + " biểu đã chọn?"
          : button.dataset.bulkVerb + " các biểu đã chọn";
        none.hidden = chosen.length > 0;
        ok.hidden = chosen.length === 0;
        ok.value = step;
        ok.textContent = "Đồng ý " + button.dataset.bulkVerb.toLowerCase();
        dialog.showModal();
      });
    });

    ok.addEventListener("click", function () {
      // Post only the forms the step applies to (the others stay checked on the page for later).
      boxes().forEach(function (box) {
        box.disabled = box.dataset.bulkStep !== ok.value;
      });
    });
    cancel.addEventListener("click", function () {
      dialog.close();
    });
    window.addEventListener("pageshow", function () {
      boxes().forEach(function (box) { box.disabled = false; });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
