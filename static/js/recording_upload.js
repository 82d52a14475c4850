// Supervisor's recording upload: multipart POST to the API through XMLHttpRequest so that upload.onprogress can
// drive the progress bar; one Idempotency-Key per chosen file, so a retry after a network failure never stores
// the recording twice.
(function () {
  "use strict";
  const root = document.getElementById("recording-upload");
  if (!root) return;
  const form = document.getElementById("upload-form");
  const input = document.getElementById("file");
  const bar = document.getElementById("upload-progress");
  const percent = document.getElementById("upload-percent");
  const statusLine = document.getElementById("upload-status");
  const button = document.getElementById("upload-button");
  const message = (key) => {
    const node = document.querySelector('#upload-messages').content.querySelector('[data-key="' + key + '"]');
    return node ? node.textContent : key;
  };
  let idempotencyKey = null;

  function csrf() {
    const field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function newKey() {
    const a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.from(a).map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  function show(text) { statusLine.textContent = text; }

  input.addEventListener("change", function () { idempotencyKey = newKey(); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!input.files.length) return;
    idempotencyKey = idempotencyKey || newKey();
    const data = new FormData();
    data.append("file", input.files[0]);
    const started = document.getElementById("recorded_start").value;
    if (started) data.append("recorded_start", new Date(started).toISOString());
    const xhr = new XMLHttpRequest();
    xhr.open("POST", root.dataset.api);
    xhr.setRequestHeader("X-CSRFToken", csrf());
    xhr.setRequestHeader("Idempotency-Key", idempotencyKey);
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      const p = Math.floor((e.loaded / e.total) * 100);
      bar.value = p; percent.textContent = p + "%";
    };
    xhr.upload.onload = function () { bar.value = 100; percent.textContent = "100%"; show(message("analysing")); };
    xhr.onload = function () {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      if (xhr.status === 201) {
        window.location.assign(root.dataset.detail.replace("/0/", "/" + body.id + "/"));
        return;
      }
      button.disabled = false;
      // the field's own messages (in the page's language), not `detail`, which prefixes the field's code name
      const errors = body.errors ? Object.values(body.errors).flat() : [];
      show(message("failed") + (errors.length ? errors.join(" ") : (body.detail || ("HTTP " + xhr.status))));
    };
    xhr.onerror = function () { button.disabled = false; show(message("network")); };
    bar.hidden = false; bar.value = 0; percent.textContent = "0%";
    button.disabled = true;
    show(message("sending"));
    xhr.send(data);
  });
})();
