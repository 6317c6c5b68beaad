// The entry page (collection/entry.html): each field is saved as the user leaves it (autosave).
(function () {
  const form = document.getElementById("entry-form");
  const url = form.dataset.autosave;
  const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  function save(key) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", token);
    for (const suffix of ["", "_comment", "_version", "_original", "_original_comment"]) {
      const input = form.querySelector(`[name="${key}${suffix}"]`);
      if (input) data.append(key + suffix, input.value);
    }
    const message = document.getElementById(`${key}-msg`);
    fetch(url, {method: "POST", body: data, headers: {"X-Requested-With": "fetch"}})
      .then((response) => response.json())
      .then((result) => {
        if (result.error) { message.className = "field-error"; message.textContent = result.error; return; }
        if (result.conflict) {
          message.className = "field-error"; message.textContent = result.conflict;
          form.querySelector(`[name="${key}_version"]`).value = result.version;
          return;
        }
        form.querySelector(`[name="${key}"]`).value = result.text;
        form.querySelector(`[name="${key}_version"]`).value = result.version;
        form.querySelector(`[name="${key}_original"]`).value = result.text;
        form.querySelector(`[name="${key}_original_comment"]`).value = result.comment;
        message.className = "field-ok"; message.textContent = result.saved ? "Đã lưu" : "";
        // Data quality: the rule messages of every field after this save.
        for (const span of form.querySelectorAll(".field-rules")) {
          span.textContent = ((result.warnings_by_field || {})[span.dataset.key] || []).join(" · ");
        }
      })
      .catch(() => { message.className = "field-error"; message.textContent = "Chưa lưu được (mất kết nối?). Bấm Lưu để thử lại."; });
  }
  form.addEventListener("change", (event) => {
    const name = event.target.name || "";
    const key = name.replace(/_comment$/, "");
    if (/^f\d+$/.test(key)) save(key);
  });
})();
