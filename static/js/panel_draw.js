// Expert-panel draw page: a supervisor's browser seals SHA-256(nonce + value) and keeps nonce and value locally
// until every present supervisor has sealed, then reveals them; the page reloads after each step.
(function () {
  "use strict";
  const root = document.getElementById("panel-draw");
  if (!root) return;
  const storeKey = "panel-input:" + root.dataset.code + ":" + root.dataset.round;
  const say = (msg) => { document.getElementById("message").textContent = msg || ""; };
  const {post, sha256hex, nonce} = window.SealedInput;
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
  const draw = document.getElementById("draw-button"), dialog = document.getElementById("draw-confirm");
  if (draw) {
    window.SealedInput.confirmDialog(draw, dialog);
    document.getElementById("draw-confirm-button").addEventListener("click", (event) => {
      dialog.close();
      return step(() => post(root.dataset.drawUrl))(event);
    });
  }
}());
