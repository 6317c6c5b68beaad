// The unit's narrative page (collection/contributions.html): one Quill editor per section, with only
// bold, italic, superscript and paragraphs (a paste from Word keeps just those), and the numbers
// recognised as the clerk types. Each figure is a "chip" (an embed carrying one template tag, shown as
// the value it prints); the clerk never sees template syntax. While typing, the section's text is sent
// to the server (debounced): a number that matches the unit's stored figure becomes a chip ("bound",
// it follows the data from then on); a number that differs ("mismatch") or is not recognised
// ("unknown") is marked, and a click on it offers the stored figure, the value's history, an indicator
// picker or leaving it as text. The form posts each editor as simple HTML; the server sanitises it.
(function () {
  "use strict";
  const form = document.getElementById("bc-narrative");
  if (!form || !window.Quill) return;
  const Quill = window.Quill;
  const Delta = Quill.import("delta");
  const editable = form.dataset.editable === "1";
  const recogniseUrl = form.dataset.recognise;
  const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const pickerData = document.getElementById("bc-indicators");
  const indicators = pickerData ? JSON.parse(pickerData.textContent) : [];
  const pop = document.getElementById("bc-pop");
  const DELAY = 600;

  // ----------------------------------------------------------------------------- blots
  const Embed = Quill.import("blots/embed");
  class FigureBlot extends Embed {
    static create(value) {
      const node = super.create();
      node.setAttribute("data-src", value.src);
      node.setAttribute("data-text", value.text || "");
      if (value.problem) node.setAttribute("data-problem", "1");
      node.textContent = value.text || "";
      return node;
    }

    static value(node) {
      return {
        src: node.getAttribute("data-src") || "",
        text: node.getAttribute("data-text") || node.textContent.replace(/\uFEFF/g, ""),
        problem: node.hasAttribute("data-problem"),
      };
    }
  }
  FigureBlot.blotName = "figure";
  FigureBlot.tagName = "SPAN";
  FigureBlot.className = "bc-figure";

  const Inline = Quill.import("blots/inline");
  class MarkBlot extends Inline {
    static create(value) {
      const node = super.create();
      const [status, id] = String(value).split("|");
      node.setAttribute("data-status", status);
      node.setAttribute("data-id", id || "");
      return node;
    }

    static formats(node) {
      return `${node.getAttribute("data-status")}|${node.getAttribute("data-id") || ""}`;
    }
  }
  MarkBlot.blotName = "bcmark";
  MarkBlot.tagName = "MARK";
  MarkBlot.className = "bc-mark";

  Quill.register(FigureBlot, true);
  Quill.register(MarkBlot, true);

  // ----------------------------------------------------------------------------- helpers
  const fold = (s) =>
    s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const escAttr = (s) => esc(s).replace(/"/g, "&quot;");
  const codeOf = (src) => (/\bf\.([A-Za-z0-9_]+)/.exec(src) || [])[1] || "";
  const byCode = new Map(indicators.map((i) => [i.code, i]));

  // The editor's text as the recogniser reads it: a chip counts as the text it prints, so the words
  // around a number keep their meaning; `chips` maps text offsets back to the editor's (a chip is one
  // position in Quill).
  function snapshot(quill) {
    let text = "";
    const chips = [];
    for (const op of quill.getContents().ops) {
      if (typeof op.insert === "string") text += op.insert;
      else if (op.insert.figure) {
        const shown = op.insert.figure.text || "";
        chips.push({ at: text.length, len: shown.length });
        text += shown;
      } else text += "\uFFFC";
    }
    const nfc = text.normalize("NFC");
    return { text: nfc.length === text.length ? nfc : text, chips };
  }

  function toQuill(snap, offset) {
    let shift = 0;
    for (const chip of snap.chips) {
      if (offset >= chip.at + chip.len) shift += chip.len - 1;
      else if (offset > chip.at) return null; // inside a chip
      else break;
    }
    return offset - shift;
  }

  function fromQuill(snap, index) {
    let shift = 0;
    for (const chip of snap.chips) {
      if (chip.at - shift < index) shift += chip.len - 1;
      else break;
    }
    return index + shift;
  }

  function overlapsChip(snap, start, end) {
    return snap.chips.some((c) => c.at < end && c.at + c.len > start);
  }

  function wrap(html, a) {
    if (a.script === "super") html = `<sup>${html}</sup>`;
    if (a.italic) html = `<i>${html}</i>`;
    if (a.bold) html = `<b>${html}</b>`;
    return html;
  }

  // What the form posts: paragraphs, the three marks and the chips (the server sanitises it anyway).
  function serialise(quill) {
    let html = "";
    let line = "";
    for (const op of quill.getContents().ops) {
      const a = op.attributes || {};
      if (typeof op.insert === "string") {
        op.insert.split("\n").forEach((part, i) => {
          if (i > 0) {
            html += `<p>${line}</p>`;
            line = "";
          }
          if (part) line += wrap(esc(part), a);
        });
      } else if (op.insert.figure) {
        const f = op.insert.figure;
        line += wrap(`<span class="bc-figure" data-src="${escAttr(f.src)}">${esc(f.text || "")}</span>`, a);
      }
    }
    if (line) html += `<p>${line}</p>`;
    return html;
  }

  function keep(quill, index, length) {
    const f = length ? quill.getFormat(index, length) : quill.getFormat(index);
    const out = {};
    for (const k of ["bold", "italic", "script"]) if (f[k] && !Array.isArray(f[k])) out[k] = f[k];
    return out;
  }

  // Replace quill[index, index+length) by a chip (keeping the text's bold/italic/superscript).
  function putChip(quill, index, length, value, source) {
    const delta = new Delta().retain(index);
    if (length) delta.delete(length);
    quill.updateContents(delta.insert({ figure: value }, keep(quill, index, length)), source);
  }

  // ----------------------------------------------------------------------------- editors
  const editors = [];
  for (const section of form.querySelectorAll(".bc-section")) {
    const id = section.dataset.section;
    const host = document.getElementById(`ed${id}`);
    const input = document.getElementById(`s${id}`);
    const toolbar = document.getElementById(`tb${id}`);
    const quill = new Quill(host, {
      theme: "snow",
      readOnly: !editable,
      formats: ["bold", "italic", "script", "figure", "bcmark"],
      modules: { toolbar: editable && toolbar ? { container: toolbar } : false },
    });
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    quill.root.setAttribute("aria-label", host.getAttribute("aria-label") || "Nội dung");
    // Text pasted in decomposed form (macOS, some PDFs) is composed, as the server stores it.
    quill.clipboard.addMatcher(Node.TEXT_NODE, (node, delta) => {
      delta.ops.forEach((op) => {
        if (typeof op.insert === "string") op.insert = op.insert.normalize("NFC");
      });
      return delta;
    });
    // Scripts and styles pasted from a web page are not words of the report (the server drops them too).
    for (const tag of ["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "TITLE"]) {
      quill.clipboard.addMatcher(tag, () => new Delta());
    }
    const ed = {
      id: Number(id),
      quill,
      section,
      input,
      numbers: section.querySelector(".bc-numbers"),
      preview: section.querySelector(".bc-preview-body"),
      mentions: [],
      dismissed: new Set(),
      timer: null,
      seq: 0,
    };
    editors.push(ed);
    if (!editable) continue;
    quill.on("text-change", (delta, old, source) => {
      if (source === "user") schedule(ed);
    });
    quill.root.addEventListener("click", (event) => {
      const chip = event.target.closest(".bc-figure");
      const mark = event.target.closest(".bc-mark");
      if (chip) openChip(ed, chip);
      else if (mark) openMention(ed, Number(mark.dataset.id), mark);
    });
    const insert = toolbar && toolbar.querySelector(".bc-insert");
    if (insert) {
      insert.addEventListener("click", () => {
        const range = quill.getSelection(true);
        openPicker(ed, insert, "Chèn số liệu", (item) => {
          putChip(quill, range ? range.index : quill.getLength() - 1, 0, chipOf(item), "user");
        });
      });
    }
    schedule(ed, 0); // marks on load (the stored text's chips are already chips)
  }

  form.addEventListener("submit", () => {
    for (const ed of editors) ed.input.value = serialise(ed.quill);
  });

  function schedule(ed, delay) {
    clearTimeout(ed.timer);
    ed.timer = setTimeout(() => recognise(ed), delay === undefined ? DELAY : delay);
  }

  function say(ed, text, isError) {
    ed.numbers.textContent = text;
    ed.numbers.classList.toggle("error", Boolean(isError));
  }

  async function recognise(ed) {
    const snap = snapshot(ed.quill);
    const seq = ++ed.seq;
    let data;
    try {
      const response = await fetch(recogniseUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        credentials: "same-origin",
        body: JSON.stringify({ section: ed.id, text: snap.text, html: serialise(ed.quill) }),
      });
      data = await response.json();
      if (!response.ok) throw new Error((data.errors || [{}])[0].message || response.statusText);
    } catch (error) {
      if (seq === ed.seq) say(ed, `Chưa đối chiếu được số liệu: ${error.message}`, true);
      return;
    }
    if (seq !== ed.seq) return; // a newer request is on its way
    if (snapshot(ed.quill).text !== snap.text) return schedule(ed); // typed meanwhile
    if (typeof data.preview === "string") ed.preview.innerHTML = data.preview;
    ed.limit = data.limit || null;
    apply(ed, snap, data.mentions || []);
  }

  const keyOf = (m, text) => `${m.text}|${text.slice(Math.max(0, m.start - 24), m.start)}`;

  function apply(ed, snap, mentions) {
    const quill = ed.quill;
    quill.formatText(0, quill.getLength(), "bcmark", false, "silent");
    ed.mentions = [];
    const placed = [];
    for (const m of mentions) {
      const start = toQuill(snap, m.start);
      const end = toQuill(snap, m.end);
      if (start === null || end === null || end <= start || overlapsChip(snap, m.start, m.end)) continue;
      if (snap.text.slice(m.start, m.end) !== m.text) continue;
      if (ed.dismissed.has(keyOf(m, snap.text))) continue;
      placed.push({ ...m, qStart: start, qEnd: end, key: keyOf(m, snap.text) });
    }
    // from the end, so the positions before each change stay valid
    placed.sort((a, b) => b.qStart - a.qStart);
    for (const m of placed) {
      if (m.status === "bound" && m.src) {
        putChip(quill, m.qStart, m.qEnd - m.qStart, { src: m.src, text: m.stored || m.text }, "api");
      }
    }
    // the marks go on after the chips, whose insertion moved what follows them
    let id = 0;
    for (const m of placed.reverse()) {
      if (m.status === "bound") continue;
      const shift = placed.filter((o) => o.status === "bound" && o.src && o.qEnd <= m.qStart)
        .reduce((n, o) => n + (o.qEnd - o.qStart - 1), 0);
      const start = m.qStart - shift;
      const length = m.qEnd - m.qStart;
      m.id = id++;
      ed.mentions.push(m);
      quill.formatText(start, length, "bcmark", `${m.status}|${m.id}`, "silent");
    }
    summarise(ed);
  }

  function summarise(ed) {
    const chips = ed.quill.root.querySelectorAll(".bc-figure").length;
    const mismatched = ed.mentions.filter((m) => m.status === "mismatch");
    const unknown = ed.mentions.filter((m) => m.status === "unknown");
    ed.numbers.textContent = "";
    ed.numbers.classList.remove("error");
    const line = document.createElement("p");
    line.textContent = `Số đã gắn với số liệu: ${chips}; chưa khớp: ${mismatched.length}; chưa nhận ra: ${unknown.length}.`;
    ed.numbers.appendChild(line);
    if (ed.limit) {
      const note = document.createElement("p");
      note.textContent = `Mục dài: chỉ đối chiếu số liệu trong ${ed.limit.toLocaleString("vi-VN")} ký tự đầu; phần sau vẫn được lưu nguyên.`;
      ed.numbers.appendChild(note);
    }
    if (chips) {
      // the chips from the keyboard too (inside the editor they answer the mouse)
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = `Các số đã gắn (${chips})`;
      details.appendChild(summary);
      const bound = document.createElement("ul");
      for (const node of ed.quill.root.querySelectorAll(".bc-figure")) {
        const value = FigureBlot.value(node);
        const item = byCode.get(codeOf(value.src));
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "bc-link";
        button.textContent = item ? `${value.text}: ${item.name}` : value.text;
        button.addEventListener("click", () => openChip(ed, node, button));
        li.appendChild(button);
        bound.appendChild(li);
      }
      details.appendChild(bound);
      ed.numbers.appendChild(details);
    }
    if (!mismatched.length && !unknown.length) return;
    const list = document.createElement("ul");
    for (const m of [...mismatched, ...unknown]) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "bc-link";
      button.dataset.status = m.status;
      button.textContent =
        m.status === "mismatch"
          ? `“${m.text}” khác số đã lưu ${m.stored}${m.name ? ` (${m.name})` : ""}`
          : `“${m.text}” chưa gắn với chỉ tiêu nào`;
      button.addEventListener("click", () => openMention(ed, m.id, button));
      li.appendChild(button);
      list.appendChild(li);
    }
    ed.numbers.appendChild(list);
  }

  // ----------------------------------------------------------------------------- popover
  const title = pop && pop.querySelector(".bc-pop-title");
  const body = pop && pop.querySelector(".bc-pop-body");
  const actions = pop && pop.querySelector(".bc-pop-actions");
  const picker = pop && pop.querySelector(".bc-picker");
  const query = pop && pop.querySelector("#bc-picker-q");
  const list = pop && pop.querySelector(".bc-picker-list");
  let returnFocus = null;

  function show(anchor, heading, text) {
    title.textContent = heading;
    body.textContent = text;
    actions.textContent = "";
    picker.hidden = true;
    const box = anchor.getBoundingClientRect();
    pop.hidden = false;
    pop.style.left = `${Math.max(8, box.left + window.scrollX)}px`;
    pop.style.top = `${box.bottom + window.scrollY + 6}px`;
    returnFocus = anchor;
  }

  function close() {
    if (!pop || pop.hidden) return;
    pop.hidden = true;
    if (returnFocus && returnFocus.focus) returnFocus.focus();
  }

  function action(label, run, className) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    if (className) button.className = className;
    button.addEventListener("click", () => {
      run();
    });
    actions.appendChild(button);
    return button;
  }

  function link(label, href) {
    const a = document.createElement("a");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener";
    a.textContent = label;
    actions.appendChild(a);
  }

  if (pop) {
    pop.querySelector(".bc-pop-close").addEventListener("click", close);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
    });
  }

  // The mention's current position in the editor (the text may have moved since it was marked).
  function markRange(ed, id) {
    const node = ed.quill.root.querySelector(`mark.bc-mark[data-id="${id}"]`);
    if (!node) return null;
    const blot = Quill.find(node);
    if (!blot) return null;
    return { index: blot.offset(ed.quill.scroll), length: blot.length() };
  }

  function chipOf(item) {
    return { src: item.src, text: item.text };
  }

  function leave(ed, m) {
    ed.dismissed.add(m.key);
    const range = markRange(ed, m.id);
    if (range) ed.quill.formatText(range.index, range.length, "bcmark", false, "silent");
    ed.mentions = ed.mentions.filter((o) => o !== m);
    summarise(ed);
    close();
  }

  function bindMention(ed, m, value) {
    const range = markRange(ed, m.id);
    close();
    if (!range) return;
    putChip(ed.quill, range.index, range.length, value, "user");
    ed.quill.setSelection(range.index + 1, 0, "silent");
  }

  function openMention(ed, id, anchor) {
    const m = ed.mentions.find((o) => o.id === id);
    if (!m) return;
    if (m.status === "mismatch") {
      show(
        anchor,
        "Số chưa khớp với số liệu đã lưu",
        `Đã gõ “${m.text}”; số liệu đã lưu${m.name ? ` của “${m.name}”` : ""} là ${m.stored}.`,
      );
      action(`Thay bằng ${m.stored}`, () => bindMention(ed, m, { src: m.src, text: m.stored }), "bc-accept").focus();
      if (m.history) link("Xem số liệu và lịch sử", m.history);
      action("Để nguyên như đã gõ", () => leave(ed, m));
    } else {
      show(anchor, "Số chưa nhận ra", `“${m.text}” chưa gắn với chỉ tiêu nào của đơn vị.`);
      action("Gắn với chỉ tiêu…", () => {
        openPicker(ed, anchor, "Gắn số với chỉ tiêu", (item) => bindMention(ed, m, chipOf(item)), m.candidates);
      }).focus();
      action("Để nguyên (chữ thường)", () => leave(ed, m));
    }
  }

  function openChip(ed, node, anchor) {
    const value = FigureBlot.value(node);
    const item = byCode.get(codeOf(value.src));
    show(
      anchor || node,
      value.problem ? "Số liệu chưa hiển thị được" : "Số liệu đã gắn",
      item
        ? `“${value.text}” là ${item.name} (${item.unit}); luôn theo số liệu đã lưu.`
        : `“${value.text}” theo số liệu đã lưu.`,
    );
    if (item) link("Xem số liệu và lịch sử", item.history);
    action("Bỏ gắn (thành chữ thường)", () => {
      const blot = Quill.find(node);
      close();
      if (!blot) return;
      const index = blot.offset(ed.quill.scroll);
      const text = value.text;
      const marks = keep(ed.quill, index, 1);
      ed.quill.updateContents(new Delta().retain(index).delete(1).insert(text, marks), "api");
      // left as text: not bound again by the next round of recognition
      const snap = snapshot(ed.quill);
      const at = fromQuill(snap, index);
      ed.dismissed.add(`${text}|${snap.text.slice(Math.max(0, at - 24), at)}`);
      summarise(ed);
      schedule(ed);
    });
  }

  function openPicker(ed, anchor, heading, choose, first) {
    show(anchor, heading, "Chọn chỉ tiêu; số liệu sẽ luôn theo dữ liệu đã lưu.");
    picker.hidden = false;
    query.value = "";
    const order = new Map((first || []).map((code, i) => [code, i]));
    const fill = () => {
      const words = fold(query.value).split(/\s+/).filter(Boolean);
      const found = indicators
        .filter((i) => words.every((w) => i.key.includes(w)))
        .sort((a, b) => (order.get(a.code) ?? 1e9) - (order.get(b.code) ?? 1e9))
        .slice(0, 30);
      list.textContent = "";
      for (const item of found) {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "bc-link";
        button.textContent = `${item.name} (${item.unit}): ${item.text || "chưa có số liệu"}`;
        button.addEventListener("click", () => {
          close();
          choose(item);
        });
        li.appendChild(button);
        list.appendChild(li);
      }
      if (!found.length) {
        const li = document.createElement("li");
        li.textContent = "Không có chỉ tiêu nào khớp.";
        list.appendChild(li);
      }
    };
    query.oninput = fill;
    query.onkeydown = (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const firstButton = list.querySelector("button");
        if (firstButton) firstButton.click();
      }
    };
    fill();
    query.focus();
  }
})();
