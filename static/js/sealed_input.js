// Shared by the lottery draw screen and the expert-panel draw page: CSRF-aware JSON POST and the
// SHA-256(nonce + value) sealing helpers a supervisor's browser uses.
window.SealedInput = (function () {
  "use strict";
  function csrf() {
    const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  async function post(url, body) {
    const r = await fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}, body: JSON.stringify(body || {})});
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(data.detail || ("HTTP " + r.status));
    return data;
  }
  const hex = (bytes) => Array.from(bytes).map((b) => b.toString(16).padStart(2, "0")).join("");
  async function sha256hex(s) {
    return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s))));
  }
  // Exactly 32 lower-case hex characters (16 random bytes), as the server requires: a fixed length is what makes
  // the split of SHA-256(nonce + value) unambiguous, so that a seal opens as one value only.
  function nonce() {
    const a = new Uint8Array(16); crypto.getRandomValues(a);
    return hex(a);
  }
  // The draw is asked once more in a <dialog>, opened by the button's commandfor/command attributes (no script
  // needed); a browser without invoker commands gets the same from this click handler.
  function confirmDialog(button, dialog) {
    if (!("command" in HTMLButtonElement.prototype)) {
      button.addEventListener("click", () => dialog.showModal());
      dialog.querySelectorAll("[command=close]").forEach((b) => b.addEventListener("click", () => dialog.close()));
    }
  }
  return {post, sha256hex, nonce, confirmDialog, csrf};
}());
