// The dashboard's early-warning panel (analytics/warnings_panel_slot.html): the page renders a placeholder
// with the weekly list's link (the no-JS fallback); this fetches the panel's HTML fragment
// (analytics:warnings_panel, same origin, rendered and escaped by the server) after the page and puts it in
// place, so the projections do not hold up the dashboard. On failure the link stays, with a message.
(function () {
  "use strict";

  function load(slot) {
    const url = slot.dataset.panelUrl;
    if (!url) return;
    const busy = slot.querySelector(".warnings-loading");
    fetch(url, {credentials: "same-origin", headers: {Accept: "text/html"}})
      .then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then((html) => {
        const parsed = new DOMParser().parseFromString(html, "text/html");
        const panel = parsed.getElementById("warnings-panel");
        if (!panel) throw new Error("no panel");
        panel.dataset.loaded = "true";
        slot.replaceWith(document.importNode(panel, true));
      })
      .catch(() => {
        slot.removeAttribute("aria-busy");
        if (busy) {
          busy.textContent = "Không tải được cảnh báo sớm: mở danh sách cảnh báo bên dưới hoặc tải lại trang.";
          busy.classList.add("error");
          busy.setAttribute("role", "alert");
        }
      });
  }

  function init() {
    for (const slot of document.querySelectorAll("[data-panel-url]")) load(slot);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
