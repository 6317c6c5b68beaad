// table-tools.js — sortable, filterable tables driven by data attributes (no inline JS: CSP).
//
// base.html loads this file (defer) on every page; a template only writes the markup below.
//
// MARKUP CONTRACT
//   <table data-table-tools [data-filter="Lọc danh sách nhiệm vụ"] [id="..."]>
//     <thead><tr>
//       <th data-sort="text">Đơn vị</th>        text: Vietnamese order (see data-sort-key)
//       <th data-sort="number">Số liệu</th>     number: "1.234,5", "-3", "12%" (Vietnamese format)
//       <th data-sort="date">Hạn</th>           date: "dd/mm/yyyy", a time "hh:mm[:ss]" before or after
//       <th>Thao tác</th>                       no data-sort: not sortable
//     </tr></thead>
//     <tbody>
//       <tr><td data-sort-key="…">Đồng Đăng</td><td>1.234</td><td data-sort-key="2020-06-14">14/06/2020</td>…</tr>
//     </tbody>
//   </table>
//
// * data-sort-key on a <td> (optional) replaces the cell's text for sorting:
//     - text columns: the server's ICU key, `{{ name|vi_sort_key }}` (baocao.core.collation, template
//       library `collation`): hex of the vi_VN collation key, compared as a plain string, so "Đ" sorts
//       after "D", "ă"/"â" after "a" and tones in order. Without it the browser's
//       localeCompare(…, "vi") is used.
//     - number columns: a plain number ("1234.5"); date columns: ISO "2020-06-14".
//   Empty cells sort last in both directions.
// * Clicking a sortable header (a <button> is put inside the <th>, so the keyboard works) sorts each
//   <tbody> of the table on its own; a second click reverses. aria-sort is set on the <th>. A
//   <th data-sort-default="ascending|descending"> is marked as the order the server already used.
// * Filter: data-filter on the table inserts a search box before it (the attribute's value is its
//   label; empty → "Lọc các dòng"). Or write your own <input type="search" data-table-filter="TABLE_ID">
//   anywhere. The filter is accent- and case-insensitive ("dong dang" finds "Đồng Đăng"); every word
//   typed must occur in the row. A row's text is its cells' text, or its data-filter-text if present.
//   A live region under the box says "Hiển thị 3/12 dòng."
// * Rows that belong together (a row and its detail row): give the following rows
//   data-table-follows; they move and hide with the row before them.
// * <tfoot> is never sorted or filtered.
// * Phones: wrap a wide table in <div class="table-scroll"> (site.css): it scrolls inside itself and the
//   page keeps the screen's width; the filter box goes above that box.
(function () {
  "use strict";

  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  function parseNumber(text) {
    // Vietnamese format: "." groups thousands, "," is the decimal mark; "%" and spaces ignored.
    const cleaned = text.replace(/[\s\u00a0%]/g, "").replace(/\./g, "").replace(",", ".");
    if (!/^[-+−]?\d+(\.\d+)?$/.test(cleaned)) return null;
    return parseFloat(cleaned.replace("−", "-"));
  }

  function parseDate(text) {
    // "14/06/2020", "14/06/2020 08:30", "08:30:15 14/06/2020": the date and, anywhere, a time.
    const d = /(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(text);
    if (!d) return null;
    const t = /(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(text) || [null, "0", "00", "00"];
    const pad = (s) => String(s || "0").padStart(2, "0");
    return d[3] + "-" + pad(d[2]) + "-" + pad(d[1]) + "T" + pad(t[1]) + ":" + pad(t[2]) + ":" + pad(t[3]);
  }

  function cellValue(cell, kind) {
    if (!cell) return null;
    const key = cell.getAttribute("data-sort-key");
    const text = cell.textContent.trim();
    if (kind === "number") {
      if (key !== null) return key === "" ? null : parseFloat(key);
      return parseNumber(text);
    }
    if (kind === "date") {
      if (key !== null) return key === "" ? null : key;
      return parseDate(text);
    }
    if (key !== null) return key === "" ? null : { key: key };
    return text === "" ? null : { text: text };
  }

  function compare(a, b, kind) {
    if (kind === "number") return a - b;
    if (kind === "date") return a < b ? -1 : a > b ? 1 : 0;
    if (a.key !== undefined && b.key !== undefined) return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    const ta = a.text !== undefined ? a.text : a.key;
    const tb = b.text !== undefined ? b.text : b.key;
    return ta.localeCompare(tb, "vi", { sensitivity: "base" }) || ta.localeCompare(tb, "vi");
  }

  // A "group" is a row and the rows marked data-table-follows after it.
  function groups(tbody) {
    const result = [];
    for (const row of Array.from(tbody.rows)) {
      if (row.hasAttribute("data-table-follows") && result.length) result[result.length - 1].push(row);
      else result.push([row]);
    }
    return result;
  }

  function columnIndex(th) {
    // The header's column, counting colspans of the cells before it.
    let index = 0;
    for (const cell of Array.from(th.parentElement.cells)) {
      if (cell === th) return index;
      index += cell.colSpan || 1;
    }
    return index;
  }

  function cellAt(row, index) {
    let at = 0;
    for (const cell of Array.from(row.cells)) {
      if (at === index) return cell;
      at += cell.colSpan || 1;
      if (at > index) return null;
    }
    return null;
  }

  function sortTable(table, th, direction) {
    const kind = th.getAttribute("data-sort") || "text";
    const index = columnIndex(th);
    for (const tbody of Array.from(table.tBodies)) {
      const items = groups(tbody).map((group, position) => ({
        group: group,
        position: position,
        value: cellValue(cellAt(group[0], index), kind),
      }));
      items.sort((x, y) => {
        if (x.value === null || y.value === null) {
          if (x.value === y.value) return x.position - y.position;
          return x.value === null ? 1 : -1; // empty last, whatever the direction
        }
        const c = compare(x.value, y.value, kind);
        return (direction === "descending" ? -c : c) || x.position - y.position;
      });
      for (const item of items) for (const row of item.group) tbody.appendChild(row);
    }
    for (const other of table.querySelectorAll("th[data-sort]")) {
      if (other !== th) other.removeAttribute("aria-sort");
    }
    th.setAttribute("aria-sort", direction);
  }

  function setUpSorting(table) {
    for (const th of table.querySelectorAll("thead th[data-sort]")) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "table-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      const initial = th.getAttribute("data-sort-default");
      if (initial === "ascending" || initial === "descending") th.setAttribute("aria-sort", initial);
      button.addEventListener("click", function () {
        const next = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        sortTable(table, th, next);
      });
    }
  }

  function setUpFilter(table, input) {
    const status = document.createElement("p");
    status.className = "table-filter-status muted";
    status.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", status);
    const allGroups = () => Array.from(table.tBodies).flatMap(groups);
    const texts = new Map();
    const textOf = (group) => {
      if (!texts.has(group[0])) {
        const own = group[0].getAttribute("data-filter-text");
        texts.set(group[0], fold(own !== null ? own : group.map((r) => r.textContent).join(" ")));
      }
      return texts.get(group[0]);
    };
    input.addEventListener("input", function () {
      const words = fold(input.value).split(" ").filter(Boolean);
      const all = allGroups();
      let shown = 0;
      for (const group of all) {
        const text = textOf(group);
        const visible = words.every((w) => text.includes(w));
        if (visible) shown += 1;
        for (const row of group) row.hidden = !visible;
      }
      status.textContent = words.length ? "Hiển thị " + shown + "/" + all.length + " dòng." : "";
    });
  }

  let counter = 0;
  for (const table of document.querySelectorAll("table[data-table-tools]")) {
    setUpSorting(table);
    if (!table.id) table.id = "table-tools-" + ++counter;
    let input = document.querySelector('input[data-table-filter="' + table.id + '"]');
    if (!input && table.hasAttribute("data-filter")) {
      const label = document.createElement("label");
      label.className = "table-filter";
      label.textContent = table.getAttribute("data-filter") || "Lọc các dòng";
      input = document.createElement("input");
      input.type = "search";
      input.setAttribute("data-table-filter", table.id);
      label.appendChild(input);
      // Before the table's scroll box (class "table-scroll") if it has one: the box stays visible.
      const box = table.parentElement.classList.contains("table-scroll") ? table.parentElement : table;
      box.insertAdjacentElement("beforebegin", label);
    }
    if (input) setUpFilter(table, input);
  }
})();
