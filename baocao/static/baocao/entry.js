// The entry grid (collection/entry.html), used like a spreadsheet with the keyboard alone:
// ↑ ↓ (and ← → at the edge of the text) move between value cells; Enter saves the cell (and a pasted
// block) and goes down, Shift+Enter goes up, never reloading the page; Tab goes to the next value (one
// stop per value); Esc puts back the saved value; Shift+F2 (or the "Ghi chú" button) opens the comment.
// A block copied from Excel/LibreOffice (tab/newline separated) pasted into a cell fills the cells below,
// is checked by the server at once (dry run, the same rules as typing) and saved with Enter, all or
// nothing; Ctrl+Z takes the whole block back. The server is the authority on every number.
(function () {
  const form = document.getElementById("entry-form");
  if (!form) return;
  form.classList.add("grid-js");
  const url = form.dataset.autosave;
  const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const status = document.getElementById("grid-status");
  const cells = Array.from(form.querySelectorAll("input.value:not([disabled])"));
  const pending = new Set(); // keys of pasted (or suggested) cells not saved yet
  let undo = null; // {keys, before: [[value, comment]], start}: the last paste, while unsaved
  let queue = Promise.resolve(); // saves run one after another (versions stay right)
  let leaving = false;
  let latest = 0; // number of the latest save sent
  const queued = new Map(); // key → its text when its save was queued (until the answer comes)

  const $ = (name) => form.querySelector(`[name="${name}"]`);
  const byId = (id) => document.getElementById(id);

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function setMessage(key, text, ok) {
    const span = byId(`${key}-msg`);
    span.textContent = text || "";
    span.title = text || "";
    span.className = ok ? "field-ok" : "field-error";
    const input = $(key);
    if (!ok && text) {
      input.setAttribute("aria-invalid", "true");
      // The message column may be scrolled out of sight (a phone): the status line, kept at the bottom of
      // the screen, says it too, with the indicator's name.
      const name = input.closest("tr")?.querySelector("th.name");
      say(name ? `${name.textContent.trim()}: ${text}` : text, true);
    } else input.removeAttribute("aria-invalid");
  }

  function isDirty(key) {
    const value = $(key).value.trim();
    const comment = $(`${key}_comment`).value.trim();
    return (value !== "" && value !== $(`${key}_original`).value) || comment !== $(`${key}_original_comment`).value;
  }

  function showWarnings(result) {
    for (const span of form.querySelectorAll(".field-rules")) {
      const text = ((result.warnings_by_field || {})[span.dataset.key] || []).join(" · ");
      span.textContent = text;
      span.title = text;
    }
    const box = byId("confirm-warnings");
    if (box && result.violations) {
      box.replaceChildren();
      const lead = document.createElement("p");
      if (result.violations.length) {
        lead.textContent = `Còn ${result.violations.length} cảnh báo kiểm tra số liệu chưa xử lý (gửi vẫn được; nên sửa hoặc ghi chú giải thích):`;
        const list = document.createElement("ul");
        for (const text of result.violations) {
          const item = document.createElement("li");
          item.textContent = text;
          list.append(item);
        }
        box.append(lead, list);
      } else {
        lead.textContent = "Không còn cảnh báo kiểm tra số liệu nào.";
        box.append(lead);
      }
    }
  }

  function applySaved(key, field) {
    $(key).value = field.text;
    $(`${key}_version`).value = field.version;
    $(`${key}_original`).value = field.text;
    $(`${key}_original_comment`).value = field.comment;
    $(`${key}_comment`).value = field.comment;
    byId(`${key}-comment-text`).textContent = field.comment;
    byId(`${key}-prev`).textContent = field.change_previous;
    byId(`${key}-ly`).textContent = field.change_last_year;
    $(key).classList.remove("pending");
    $(key).classList.add("saved");
    pending.delete(key);
    if (undo && undo.keys.includes(key)) undo = null; // a saved block is no longer undone here
  }

  // Send ``keys`` (their value and comment) in one request; dryRun: check only. Resolves true when fine.
  const snapshot = (key) => `${$(key).value}\u0000${$(`${key}_comment`).value}`;

  function send(keys, dryRun) {
    for (const key of keys) {
      // A blank never erases a stored value (the server skips it): say so instead of showing a blank.
      if ($(key).value.trim() === "" && $(`${key}_original`).value !== "") {
        $(key).value = $(`${key}_original`).value;
        setMessage(key, "Ô để trống không xóa số đã lưu; số cũ được giữ.", false);
        $(key).removeAttribute("aria-invalid");
      }
    }
    if (!dryRun) {
      // A cell already on its way with the same text is not sent twice (Enter, then the change event).
      keys = keys.filter((key) => isDirty(key) && queued.get(key) !== snapshot(key));
      if (!keys.length) return queue;
      for (const key of keys) queued.set(key, snapshot(key));
    }
    // Only the latest save marks its cells "Đã lưu" (an earlier answer arriving later says nothing).
    const ticket = dryRun ? latest : ++latest;
    if (!dryRun) for (const span of form.querySelectorAll(".field-ok")) span.textContent = "";
    const run = () => {
      const sent = keys.filter(isDirty);
      if (!sent.length) return Promise.resolve(true);
      const data = new FormData();
      data.append("csrfmiddlewaretoken", token);
      if (dryRun) data.append("dry_run", "1");
      for (const key of sent) {
        for (const suffix of ["", "_comment", "_version", "_original", "_original_comment"]) {
          data.append(key + suffix, $(key + suffix).value);
        }
      }
      return fetch(url, {method: "POST", body: data, headers: {"X-Requested-With": "fetch"}})
        .then((response) => response.json().then((result) => [response.status, result]))
        .then(([code, result]) => {
          if (code === 200 && dryRun) {
            for (const key of sent) setMessage(key, "", false);
            return true;
          }
          if (code === 200) {
            for (const span of form.querySelectorAll(".field-ok")) span.textContent = "";
            for (const [key, field] of Object.entries(result.fields || {})) {
              applySaved(key, field);
              setMessage(key, result.saved && ticket === latest ? "Đã lưu" : "", true);
            }
            showWarnings(result);
            if (result.banner) {
              byId("status").textContent = result.banner.state;
              byId("next-step-text").textContent = `— ${result.banner.next}`;
              byId("next-step").className = `next-step next-step-${result.banner.tone}`;
            }
            say(sent.length > 1 ? `Đã lưu ${sent.length} ô.` : "", false);
            return true;
          }
          if (result.errors) {
            for (const key of sent) setMessage(key, result.errors[key] || "", false);
            if (sent.length > 1) say(result.error, true);
            return false;
          }
          if (result.conflicts) {
            for (const [key, c] of Object.entries(result.conflicts)) {
              setMessage(key, c.message, false);
              $(`${key}_version`).value = c.version;
            }
            return false;
          }
          if (sent.length === 1) setMessage(sent[0], result.error, false);
          say(result.error || "Chưa lưu được.", true);
          return false;
        })
        .catch(() => {
          say("Chưa lưu được (mất kết nối?). Bấm Enter hoặc “Lưu” để thử lại.", true);
          return false;
        });
    };
    const done = (ok) => {
      if (!dryRun) for (const key of keys) queued.delete(key);
      return ok;
    };
    queue = queue.then(run, run).then(done);
    return queue;
  }

  function focusCell(index) {
    const cell = cells[Math.max(0, Math.min(cells.length - 1, index))];
    if (cell) {
      cell.focus();
      cell.select();
    }
  }

  function openComment(key) {
    const input = $(`${key}_comment`);
    input.classList.add("open");
    input.focus();
  }

  function closeComment(key) {
    $(`${key}_comment`).classList.remove("open");
    $(key).focus();
  }

  function fillCells(start, rows) {
    const keys = [];
    const before = [];
    rows.forEach((columns, offset) => {
      const key = cells[start + offset].name;
      keys.push(key);
      before.push([$(key).value, $(`${key}_comment`).value]);
      $(key).value = (columns[0] || "").trim();
      if (columns.length > 1) {
        $(`${key}_comment`).value = columns[1].trim();
        byId(`${key}-comment-text`).textContent = columns[1].trim();
      }
      $(key).classList.remove("saved");
      $(key).classList.add("pending");
      pending.add(key);
    });
    return {keys, before};
  }

  // Paste: a block of several lines or columns fills the cells from here down (one undo step).
  function onPaste(event) {
    const text = (event.clipboardData || window.clipboardData).getData("text/plain").replace(/(\r?\n)+$/, "");
    if (!/[\t\r\n]/.test(text)) return; // one value: the browser pastes it into the cell
    event.preventDefault();
    const rows = text.split(/\r?\n/).map((line) => line.split("\t"));
    const start = cells.indexOf(event.target);
    const room = cells.length - start;
    if (rows.length > room) {
      say(`Khối dán có ${rows.length} dòng nhưng từ ô này chỉ còn ${room} ô: chưa dán gì. Chọn ô đầu cao hơn hoặc dán ít dòng hơn.`, true);
      return;
    }
    const extra = rows.some((columns) => columns.length > 2);
    undo = {...fillCells(start, rows), start};
    const done = `Đã dán ${rows.length} ô (chưa lưu)${extra ? "; chỉ lấy cột số liệu và cột ghi chú" : ""}.`;
    send(undo.keys, true).then((ok) => {
      if (ok) say(`${done} Bấm Enter để lưu cả khối, Ctrl+Z để hoàn tác.`, false);
      else say(`${done} Có ô sai (viền đỏ): sửa rồi bấm Enter để lưu cả khối, hoặc Ctrl+Z để hoàn tác.`, true);
    });
  }

  function undoPaste() {
    const {keys, before, start} = undo;
    undo = null;
    keys.forEach((key, index) => {
      $(key).value = before[index][0];
      $(`${key}_comment`).value = before[index][1];
      byId(`${key}-comment-text`).textContent = before[index][1];
      $(key).classList.remove("pending");
      pending.delete(key);
      setMessage(key, "", false);
    });
    say(`Đã hoàn tác khối dán (${keys.length} ô).`, false);
    focusCell(start);
  }

  function onValueKey(event) {
    const input = event.target;
    const index = cells.indexOf(input);
    const key = input.name;
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    const atEnd = input.selectionStart === input.value.length && input.selectionEnd === input.value.length;
    if (event.key === "Enter") {
      event.preventDefault();
      send([...new Set([...pending, key])], false);
      focusCell(event.shiftKey ? index - 1 : index + 1);
    } else if (event.key === "ArrowDown" || (event.key === "ArrowRight" && atEnd)) {
      event.preventDefault();
      focusCell(index + 1);
    } else if (event.key === "ArrowUp" || (event.key === "ArrowLeft" && atStart)) {
      event.preventDefault();
      focusCell(index - 1);
    } else if (event.key === "Escape") {
      input.value = $(`${key}_original`).value;
      input.classList.remove("pending");
      pending.delete(key);
      setMessage(key, "", false);
    } else if (event.key === "F2" && event.shiftKey) {
      event.preventDefault();
      openComment(key);
    } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !event.shiftKey && undo) {
      event.preventDefault();
      undoPaste();
    }
  }

  function onCommentKey(event) {
    const key = event.target.name.replace(/_comment$/, "");
    if (event.key === "Enter") {
      event.preventDefault();
      send([key], false);
      closeComment(key);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.target.value = $(`${key}_original_comment`).value;
      closeComment(key);
    }
  }

  form.addEventListener("keydown", (event) => {
    if (event.target.matches("input.value")) onValueKey(event);
    else if (event.target.matches("input.comment")) onCommentKey(event);
  });
  form.addEventListener("paste", (event) => {
    if (event.target.matches("input.value")) onPaste(event);
  });
  // Leaving a typed cell saves it (a pasted block waits for Enter, so it is saved whole).
  form.addEventListener("change", (event) => {
    const name = event.target.name || "";
    const key = name.replace(/_comment$/, "");
    if (/^f\d+$/.test(key) && !pending.has(key)) send([key], false);
  });
  form.addEventListener("click", (event) => {
    const opener = event.target.closest(".comment-open");
    if (opener) openComment(opener.dataset.key);
    const confirm = event.target.closest("[data-confirm]");
    if (confirm) {
      event.preventDefault();
      byId(confirm.dataset.confirm).showModal();
    }
    const close = event.target.closest(".dialog-close");
    if (close) close.closest("dialog").close();
  });
  form.addEventListener("submit", () => { leaving = true; });
  window.addEventListener("beforeunload", (event) => {
    if (pending.size && !leaving) event.preventDefault();
  });

  // For other parts of the page (the month-end estimate suggestions): fill a cell as typing would.
  window.baocaoGrid = {
    setCell(key, text) {
      const input = $(key);
      if (!input || input.disabled) return;
      input.value = text;
      input.classList.add("pending");
      pending.add(key);
      send([key], true);
    },
    save: () => send([...pending], false),
  };
})();
