// Live draw screen: polls the state; a supervisor's browser seals SHA-256(nonce + value) first and keeps the
// nonce and value locally until every present supervisor has sealed, then reveals them.
(function () {
  "use strict";
  const root = document.getElementById("draw-screen");
  if (!root) return;
  const code = root.dataset.code, round = root.dataset.round;
  const words = root.dataset;  // the page's language: sealedText, winnerText, alternateText, separator
  const storeKey = "draw-input:" + code + ":" + round;
  const $ = (id) => document.getElementById(id);
  const text = (s) => document.createTextNode(s == null ? "" : String(s));

  const {post, sha256hex, nonce} = window.SealedInput;
  function say(msg) { const m = $("message"); if (m) m.textContent = msg || ""; }

  function render(state) {
    $("candidates-count").textContent = state.candidates_count;
    $("candidates-digest").textContent = state.candidates_digest;
    $("commitment").textContent = state.commitment;
    $("supervisors").textContent = state.supervisors_present.join(words.separator) || "—";
    const body = document.querySelector("#inputs tbody");
    body.replaceChildren(...state.inputs.map((i) => {
      const tr = document.createElement("tr");
      [i.position, i.source, i.commitment.slice(0, 16) + "…", i.revealed ? i.value : words.sealedText].forEach((v) => {
        const td = document.createElement("td"); td.appendChild(text(v)); tr.appendChild(td);
      });
      tr.dataset.revealed = i.revealed ? "1" : "0";
      return tr;
    }));
    const mine = JSON.parse(localStorage.getItem(storeKey) || "null");
    const sealForm = $("seal-form");
    if (sealForm) {
      // sealing closes once every supervisor signed in has sealed: a later arrival is recorded, not a participant
      const closedToMe = !mine && state.sealing_closed && !state.draw;
      sealForm.hidden = !!mine || !!state.draw || closedToMe;
      $("sealing-closed").hidden = !closedToMe;
      const myInput = mine && state.inputs.find((i) => i.commitment === mine.commitment);
      $("reveal-button").hidden = !(mine && state.all_sealed && myInput && !myInput.revealed);
      $("draw-button").hidden = !!state.draw || !state.all_sealed;
    }
    if (state.draw) {
      $("result").hidden = false;
      $("secret").textContent = state.draw.secret;
      $("seed").textContent = state.draw.seed;
      const rows = document.querySelector("#ranking tbody");
      rows.replaceChildren(...state.draw.ranking.map((r) => {
        const tr = document.createElement("tr");
        [r.rank === 1 ? words.winnerText : words.alternateText + " " + (r.rank - 1), r.name, r.uscc].forEach((v) => {
          const td = document.createElement("td"); td.appendChild(text(v)); tr.appendChild(td);
        });
        return tr;
      }));
    }
  }

  async function refresh() {
    try {
      const r = await fetch(root.dataset.stateUrl, {credentials: "same-origin"});
      if (r.ok) render(await r.json());
    } catch (e) { /* the next poll tries again */ }
  }

  const form = $("seal-form");
  if (form) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const value = $("input-value").value;
      const n = nonce();
      const commitment = await sha256hex(n + value);
      try {
        await post(root.dataset.inputsUrl, {commitment});
        localStorage.setItem(storeKey, JSON.stringify({value, nonce: n, commitment}));
        say("");
      } catch (e) { say(e.message); }
      refresh();
    });
    $("reveal-button").addEventListener("click", async () => {
      const mine = JSON.parse(localStorage.getItem(storeKey) || "null");
      try { await post(root.dataset.inputsUrl, {value: mine.value, nonce: mine.nonce}); say(""); }
      catch (e) { say(e.message); }
      refresh();
    });
    window.SealedInput.confirmDialog($("draw-button"), $("draw-confirm"));
    $("draw-confirm-button").addEventListener("click", async () => {
      $("draw-confirm").close();
      const ext = $("external-value");
      try { await post(root.dataset.drawUrl, {external_value: ext ? ext.value : ""}); say(""); }
      catch (e) { say(e.message); }
      refresh();
    });
  }
  refresh();
  setInterval(refresh, 1000);
})();
