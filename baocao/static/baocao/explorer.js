// The data explorer (analytics/explorer.html): find indicators by typing their name or code with or without
// accents, choose them, and switch the chart between lines and bars. The chart itself is charts.js's.
(function () {
  "use strict";
  const search = document.getElementById("indicator-search");
  const results = document.getElementById("indicator-results");
  const chosen = document.getElementById("indicator-chosen");
  const choicesElement = document.getElementById("indicator-choices");
  if (!search || !results || !chosen || !choicesElement) return;
  const choices = JSON.parse(choicesElement.textContent);
  const LIMIT = 30;

  // The same folding as the server's core.text.search_key: lower case, accents and marks dropped, đ → d.
  function fold(text) {
    return text.normalize("NFC").toLowerCase().normalize("NFD")
      .replace(/\p{Mn}/gu, "").replace(/đ/g, "d").split(/\s+/).filter(Boolean);
  }

  function isChosen(code) {
    return Array.from(chosen.querySelectorAll("input[name=indicator]")).some((input) => input.value === code);
  }

  function item(choice, checked) {
    const li = document.createElement("li");
    const label = document.createElement("label");
    label.className = "check";
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = "indicator";
    input.value = choice.code;
    input.checked = checked;
    const muted = document.createElement("span");
    muted.className = "muted";
    muted.textContent = " (" + choice.code + ", " + choice.unit + ")";
    label.append(input, " " + choice.name, muted);
    li.appendChild(label);
    return li;
  }

  function choose(choice) {
    if (!isChosen(choice.code)) chosen.appendChild(item(choice, true));
    search.value = "";
    show([]);
    search.focus();
  }

  function show(matches) {
    results.textContent = "";
    for (const choice of matches) {
      const li = document.createElement("li");
      const pick = document.createElement("button");
      pick.type = "button";
      pick.className = "indicator-pick";
      pick.textContent = choice.name + " (" + choice.code + ", " + choice.unit + ")";
      pick.addEventListener("click", () => choose(choice));
      li.appendChild(pick);
      results.appendChild(li);
    }
  }

  function matches() {
    const words = fold(search.value);
    if (!words.length) return [];
    return choices.filter((c) => !isChosen(c.code) && words.every((w) => c.key.indexOf(w) >= 0)).slice(0, LIMIT);
  }

  // With the script, the search box is only a finder: it is not part of the bookmarked address.
  search.removeAttribute("name");
  const none = document.getElementById("indicator-none");
  if (none) none.remove();
  search.addEventListener("input", () => show(matches()));
  search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault(); // Enter chooses the first indicator found instead of sending the form
    const first = matches()[0];
    if (first) choose(first);
  });
  // Unchecked chosen indicators leave the list when the form is sent (they are simply not sent).

  // Lines or bars: redrawn at once, and the address keeps the choice.
  const chartType = document.getElementById("chart-type");
  const box = document.getElementById("explorer-chart");
  if (chartType && box && window.BaocaoCharts) {
    chartType.addEventListener("change", () => {
      const data = BaocaoCharts.readData(box.dataset.chart);
      if (!data) return;
      data.type = chartType.value;
      BaocaoCharts.render(box, data);
      const url = new URL(window.location.href);
      url.searchParams.set("chart", chartType.value);
      window.history.replaceState(null, "", url);
      for (const link of document.querySelectorAll("#explorer-link, #export-xlsx, #export-csv")) {
        const target = new URL(link.href);
        target.searchParams.set("chart", chartType.value);
        link.href = target.toString();
      }
    });
  }
})();
