// "我的签名密钥": make a key in this browser, send its public half, mark which listed keys this browser holds.
(function () {
  "use strict";
  const root = document.getElementById("signing-keys");
  if (!root) return;
  const say = (text) => { document.getElementById("key-message").textContent = text; };
  document.querySelectorAll("[data-fingerprint]").forEach(async (row) => {
    const here = await window.PersonalKeys.get(row.dataset.fingerprint);
    row.querySelector(".held").textContent = here ? root.dataset.heldYes : root.dataset.heldNo;
  });
  document.getElementById("key-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    let made = null;
    try {
      made = await window.PersonalKeys.generate(root.dataset.username);
      await window.SealedInput.post(root.dataset.apiUrl, {public_key: made.publicKey,
                                                          label: document.getElementById("key-label").value});
      window.location.reload();
    } catch (e) {
      if (made) await window.PersonalKeys.remove(made.fingerprint);
      say(e.message);
    }
  });
}());
