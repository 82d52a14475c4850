// Expert-panel draw page: a supervisor's browser seals SHA-256(nonce + value) and keeps nonce and value locally
// until every present supervisor has sealed, then reveals them; the page reloads after each step.
(function () {
  "use strict";
  const root = document.getElementById("panel-draw");
  if (!root) return;
  const storeKey = "panel-input:" + root.dataset.code + ":" + root.dataset.round;
  const say = (msg) => { document.getElementById("message").textContent = msg || ""; };
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
  async function sha256hex(s) {
    const buf = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
    return Array.from(new Uint8Array(buf)).map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  function nonce() {
    const a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.from(a).map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  const step = (fn) => async (event) => {
    event.preventDefault();
    try { await fn(); window.location.reload(); } catch (e) { say(e.message); }
  };
  const seal = document.getElementById("seal-form");
  if (seal) seal.addEventListener("submit", step(async () => {
    const value = document.getElementById("input-value").value, n = nonce();
    const commitment = await sha256hex(n + value);
    await post(root.dataset.inputsUrl, {commitment});
    localStorage.setItem(storeKey, JSON.stringify({value, nonce: n}));
  }));
  const reveal = document.getElementById("reveal-button");
  if (reveal) reveal.addEventListener("click", step(async () => {
    const mine = JSON.parse(localStorage.getItem(storeKey) || "null");
    if (!mine) throw new Error(root.dataset.lostMessage);
    await post(root.dataset.inputsUrl, {value: mine.value, nonce: mine.nonce});
  }));
  const draw = document.getElementById("draw-button");
  if (draw) draw.addEventListener("click", step(() => post(root.dataset.drawUrl)));
}());
