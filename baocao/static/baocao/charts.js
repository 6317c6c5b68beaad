// Charts of every page (dashboard, explorer): Apache ECharts from our own static files, Vietnamese locale and
// number formats, a data table behind every chart (screen readers, printing), saving as PNG and SVG.
//
// A page puts the chart's data in a JSON element (Django's json_script: no inline code under the CSP) and a
// container that names it:
//
//   {{ chart|json_script:"chart-thu" }}
//   <div class="chart" data-chart="chart-thu"></div>
//   <script src="{% static 'vendor/echarts/echarts.min.js' %}"></script>
//   <script src="{% static 'vendor/echarts/langVI.js' %}"></script>
//   <script src="{% static 'baocao/charts.js' %}"></script>
//
// The data is what baocao.analytics.series.Series.chart_data() gives (the explorer builds the same shape):
//   {title, unit, percent, categories: [...], series: [{key, name, role, data: [number|null], unit?}], type?}
// role: "value" (solid line or bar), "last_year" (dashed), "plan" (dotted step line).
// BaocaoCharts.render(container, data) draws one chart by hand (the explorer redraws with it).
(function () {
  "use strict";

  // ------------------------------------------------------------------ Vietnamese numbers: 1.234; 12,5%
  function groupThousands(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  // formatNumber(1234) → "1.234"; formatNumber(567.8) → "567,8"; formatNumber(0.5, 2) → "0,50".
  // Without decimals: at most 2 decimals, trailing zeros dropped. null/undefined/NaN → "".
  function formatNumber(value, decimals) {
    if (value === null || value === undefined || value === "" || Number.isNaN(Number(value))) return "";
    const number = Number(value);
    let text = Math.abs(number).toFixed(decimals === undefined ? 2 : decimals);
    if (decimals === undefined && text.indexOf(".") >= 0) text = text.replace(/0+$/, "").replace(/\.$/, "");
    const parts = text.split(".");
    const body = groupThousands(parts[0]) + (parts[1] ? "," + parts[1] : "");
    const zero = !/[1-9]/.test(text);
    return (number < 0 && !zero ? "-" : "") + body;
  }

  // formatPercent(12.5) → "12,5%": the value is in percentage points, one decimal.
  function formatPercent(value, decimals) {
    const text = formatNumber(value, decimals === undefined ? 1 : decimals);
    return text === "" ? "" : text + "%";
  }

  // Axis labels: large numbers shortened the Vietnamese way (1,2 tr = 1,2 triệu; 3,4 tỷ).
  function formatAxis(value, percent) {
    if (percent) return formatPercent(value, 0);
    const size = Math.abs(value);
    if (size >= 1e9) return formatNumber(value / 1e9) + " tỷ";
    if (size >= 1e6) return formatNumber(value / 1e6) + " tr";
    return formatNumber(value);
  }

  function formatValue(value, data) {
    return data && data.percent ? formatPercent(value) : formatNumber(value);
  }

  // ------------------------------------------------------------------ data and option
  function readData(id) {
    const element = document.getElementById(id);
    if (!element) return null;
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  const LINE_STYLES = {
    value: {type: "solid", width: 2.5},
    last_year: {type: "dashed", width: 1.5},
    plan: {type: "dotted", width: 2},
  };

  function axisUnits(data) {
    const units = [];
    for (const s of data.series) {
      const unit = s.unit || data.unit || "";
      if (units.indexOf(unit) < 0) units.push(unit);
    }
    return units.length <= 2 ? units : [units[0]]; // more than two units: one axis (the table is exact)
  }

  function tooltip(params, formatter) {
    const list = Array.isArray(params) ? params : [params];
    const root = document.createElement("div");
    root.className = "chart-tip";
    const head = document.createElement("div");
    head.className = "chart-tip-head";
    head.textContent = list.length ? list[0].axisValueLabel || list[0].name : "";
    root.appendChild(head);
    for (const item of list) {
      if (item.value === null || item.value === undefined) continue;
      const row = document.createElement("div");
      row.className = "chart-tip-row";
      const marker = document.createElement("span");
      marker.className = "chart-tip-marker";
      marker.style.backgroundColor = typeof item.color === "string" ? item.color : "#555"; // CSSOM: allowed
      const name = document.createElement("span");
      name.className = "chart-tip-name";
      name.textContent = item.seriesName;
      const value = document.createElement("strong");
      value.className = "chart-tip-value";
      value.textContent = formatter(item.value);
      row.append(marker, name, value);
      root.appendChild(row);
    }
    return root;
  }

  // What a screen reader says for the chart: its title and every value, formatted as on the page.
  function describe(data) {
    const parts = ["Biểu đồ " + data.title + (data.unit ? " (" + data.unit + ")" : "") + "."];
    for (const s of data.series) {
      const values = [];
      s.data.forEach((value, index) => {
        if (value !== null && value !== undefined) values.push(data.categories[index] + ": " + formatValue(value, data));
      });
      parts.push(s.name + " – " + (values.length ? values.join("; ") : "chưa có số liệu") + ".");
    }
    return parts.join(" ");
  }

  function option(data, settings) {
    const units = axisUnits(data);
    const chartType = data.type === "bar" ? "bar" : "line";
    const formatter = (value) => formatValue(value, data);
    return {
      animation: !(settings && settings.static),
      aria: {enabled: true, label: {description: describe(data)}},
      backgroundColor: "#fff",
      title: settings && settings.withTitle ? {text: data.title, left: "center", textStyle: {fontSize: 14}} : undefined,
      // The tooltip is built with DOM nodes and CSS classes (charts.css): ECharts' own HTML carries style
      // attributes, which the Content-Security-Policy blocks.
      tooltip: {trigger: "axis", formatter: (params) => tooltip(params, formatter)},
      legend: {bottom: 0, type: "scroll"},
      grid: {left: 8, right: 36, top: settings && settings.withTitle ? 48 : 28, bottom: 40, containLabel: true},
      xAxis: {type: "category", data: data.categories, boundaryGap: chartType === "bar"},
      yAxis: units.map((unit, index) => ({
        type: "value",
        name: unit,
        position: index === 0 ? "left" : "right",
        axisLabel: {formatter: (value) => formatAxis(value, data.percent)},
        splitLine: {show: index === 0},
      })),
      series: data.series.map((s) => {
        const role = s.role || "value";
        const axis = Math.max(0, units.indexOf(s.unit || data.unit || ""));
        const type = role === "value" ? chartType : "line";
        return {
          name: s.name,
          type: type,
          yAxisIndex: axis,
          data: s.data,
          connectNulls: role === "plan",
          step: role === "plan" ? "middle" : undefined,
          symbol: role === "plan" ? "diamond" : "circle",
          symbolSize: role === "value" ? 6 : role === "plan" ? 9 : 4,
          lineStyle: type === "line" ? LINE_STYLES[role] || LINE_STYLES.value : undefined,
        };
      }),
    };
  }

  // ------------------------------------------------------------------ data table behind the chart
  function table(data) {
    const element = document.createElement("table");
    element.className = "chart-table";
    const caption = document.createElement("caption");
    caption.textContent = data.title + (data.unit ? " (" + data.unit + ")" : "");
    element.appendChild(caption);
    const head = element.createTHead().insertRow();
    const corner = document.createElement("th");
    corner.scope = "col";
    corner.textContent = data.category_label || "Kỳ";
    head.appendChild(corner);
    for (const s of data.series) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = s.name + (s.unit && s.unit !== data.unit ? " (" + s.unit + ")" : "");
      head.appendChild(th);
    }
    const body = element.createTBody();
    data.categories.forEach((category, row) => {
      const tr = body.insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = category;
      tr.appendChild(th);
      for (const s of data.series) {
        const td = tr.insertCell();
        td.className = "num";
        td.textContent = formatValue(s.data[row], data);
      }
    });
    return element;
  }

  // ------------------------------------------------------------------ saving
  function fileName(data, extension) {
    const base = (data.file_name || data.indicator || "bieu-do").replace(/[^A-Za-z0-9_.-]+/g, "_");
    return base + "." + extension;
  }

  function download(href, name) {
    const link = document.createElement("a");
    link.href = href;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function savePng(chart, data) {
    download(chart.getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#fff"}), fileName(data, "png"));
  }

  // SVG: the same option drawn by ECharts' SVG renderer without a DOM (server-side mode), as a file.
  function svgText(data, width, height) {
    const offscreen = echarts.init(null, null, {renderer: "svg", ssr: true, width: width, height: height, locale: "VI"});
    offscreen.setOption(option(data, {static: true, withTitle: true}));
    const text = offscreen.renderToSVGString();
    offscreen.dispose();
    return text;
  }

  function saveSvg(chart, data) {
    const blob = new Blob([svgText(data, chart.getWidth(), chart.getHeight())], {type: "image/svg+xml"});
    const url = URL.createObjectURL(blob);
    download(url, fileName(data, "svg"));
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // ------------------------------------------------------------------ one chart
  let counter = 0;

  function button(text, action) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "chart-button";
    element.textContent = text;
    element.addEventListener("click", action);
    return element;
  }

  // Draws `data` into `container` (replacing what it held): the chart, a toolbar (table toggle, PNG, SVG)
  // and the data table (hidden on screen until asked for, always printed). Returns the ECharts instance.
  function render(container, data) {
    const previous = echarts.getInstanceByDom(container.querySelector(".chart-canvas") || container);
    if (previous) previous.dispose();
    container.textContent = "";
    container.classList.add("chart-box");
    if (!data || !data.series || !data.series.length) {
      const empty = document.createElement("p");
      empty.className = "muted chart-empty";
      empty.textContent = (data && data.empty_text) || "Chưa có số liệu để vẽ biểu đồ.";
      container.appendChild(empty);
      return null;
    }
    counter += 1;
    const tableId = "chart-table-" + counter;
    const toolbar = document.createElement("div");
    toolbar.className = "chart-toolbar";
    const canvas = document.createElement("div");
    canvas.className = "chart-canvas";
    const wrap = document.createElement("div");
    wrap.className = "chart-table-wrap";
    wrap.id = tableId;
    wrap.hidden = true;
    wrap.appendChild(table(data));
    container.append(toolbar, canvas, wrap);

    const chart = echarts.init(canvas, null, {locale: "VI"});
    chart.setOption(option(data));
    const toggle = button("Xem bảng số liệu", () => {
      wrap.hidden = !wrap.hidden;
      toggle.setAttribute("aria-expanded", String(!wrap.hidden));
      toggle.textContent = wrap.hidden ? "Xem bảng số liệu" : "Ẩn bảng số liệu";
    });
    toggle.setAttribute("aria-controls", tableId);
    toggle.setAttribute("aria-expanded", "false");
    toolbar.append(
      toggle,
      button("Tải ảnh PNG", () => savePng(chart, data)),
      button("Tải ảnh SVG", () => saveSvg(chart, data)),
    );
    return chart;
  }

  const charts = [];

  function renderAll(root) {
    for (const container of (root || document).querySelectorAll("[data-chart]")) {
      const chart = render(container, readData(container.dataset.chart));
      if (chart) charts.push(chart);
    }
  }

  window.addEventListener("resize", () => {
    for (const chart of charts) if (!chart.isDisposed()) chart.resize();
  });
  // Printing: redraw at the paper's width, then back.
  window.addEventListener("beforeprint", () => {
    for (const chart of charts) if (!chart.isDisposed()) chart.resize();
  });

  window.BaocaoCharts = {
    formatNumber: formatNumber,
    formatPercent: formatPercent,
    formatValue: formatValue,
    readData: readData,
    option: option,
    describe: describe,
    table: table,
    render: render,
    renderAll: renderAll,
    svgText: svgText,
    charts: charts,
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => renderAll());
  } else {
    renderAll();
  }
})();
