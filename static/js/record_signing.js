// Signing a record on its page: the signer confirms in a dialog; this browser signs the message shown (the record's
// digest, project and kind) with a bound key it holds; the server verifies at once and refuses with a reason.
(function () {
  "use strict";
  document.querySelectorAll("[data-record-signing]").forEach((panel) => {
    const kind = panel.dataset.kind;
    const say = (text) => { panel.querySelector(".sign-message").textContent = text; };
    const button = document.getElementById("sign-button-" + kind);
    const dialog = document.getElementById("sign-confirm-" + kind);
    if (!button) return;
    window.SealedInput.confirmDialog(button, dialog);
    document.getElementById("sign-confirm-button-" + kind).addEventListener("click", async () => {
      dialog.close();
      const fingerprint = await window.PersonalKeys.held(JSON.parse(panel.dataset.keys));
      if (!fingerprint) { say(panel.dataset.noKey); return; }
      try {
        const signature = await window.PersonalKeys.sign(fingerprint, panel.dataset.message);
        await window.SealedInput.post(panel.dataset.apiUrl, {key: fingerprint, digest: panel.dataset.digest,
                                                             signature});
        window.location.reload();
      } catch (e) { say(e.message); }
    });
  });
}());
