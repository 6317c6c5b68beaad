// The dashboard (analytics/dashboard.html): fetches the trend charts' data (analytics:dashboard_charts) and
// draws each chart into its slot with charts.js (BaocaoCharts.render: Vietnamese numbers, data table behind
// a toggle, PNG/SVG); sizes the submission bar's segments from their data-share (through the CSSOM: the CSP
// forbids style attributes in the markup); the print button.
(function () {
  "use strict";

  function sizeStack(root) {
    for (const part of root.querySelectorAll(".stack-part[data-share]")) {
      const share = Math.max(0, Math.min(100, Number(part.dataset.share) || 0));
      part.style.width = share + "%";
      part.hidden = share === 0;
    }
  }

  function showError(section, text) {
    const box = section.querySelector(".charts-error");
    if (box) {
      box.textContent = text;
      box.hidden = false;
    }
    for (const slot of section.querySelectorAll(".chart-slot")) slot.textContent = "";
  }

  function drawCharts(section) {
    const url = section.dataset.chartsUrl;
    if (!url || !window.BaocaoCharts) return;
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then((response) => response.json().catch(() => ({charts: [], error: "Máy chủ trả lời không đọc được (mã " + response.status + ")."})))
      .then((body) => {
        if (body.error) {
          showError(section, "Không vẽ được biểu đồ: " + body.error);
          return;
        }
        for (const data of body.charts || []) {
          const figure = section.querySelector('[data-trend="' + CSS.escape(data.indicator) + '"]');
          const slot = figure && figure.querySelector(".chart-slot");
          if (!slot) continue;
          const chart = window.BaocaoCharts.render(slot, data);
          if (chart) window.BaocaoCharts.charts.push(chart);
        }
        section.dataset.loaded = "true";
      })
      .catch(() => showError(section, "Không tải được số liệu của biểu đồ: kiểm tra kết nối rồi tải lại trang."));
  }

  function init() {
    sizeStack(document);
    for (const section of document.querySelectorAll("[data-charts-url]")) drawCharts(section);
    for (const button of document.querySelectorAll("[data-print]")) {
      button.addEventListener("click", () => window.print());
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
