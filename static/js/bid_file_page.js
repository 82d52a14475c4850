// The bidder's page in a bid-file round: the PDF and the price schedule are encrypted here, in this browser
// (BidFile.sealBid); only the ciphertext, its SHA-256, the key commitment and the wrapped shares are sent.
(function () {
  "use strict";
  const form = document.getElementById("bid-file-form");
  if (!form) return;
  const status = document.getElementById("bid-file-status");
  const round = JSON.parse(document.getElementById("bid-round-data").textContent);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    const file = document.getElementById("bid-file").files[0];
    if (!file) { status.textContent = form.dataset.noFile; return; }
    const pdf = new Uint8Array(await file.arrayBuffer());
    if (new TextDecoder().decode(pdf.slice(0, 5)) !== "%PDF-") { status.textContent = form.dataset.notPdf; return; }
    const schedule = {price: document.getElementById("price").value.trim(),
      duration: document.getElementById("duration").value.trim(), terms: document.getElementById("terms").value.trim()};
    try {
      const sealed = await BidFile.sealBid({project: round.project, round: round.round, bidder: round.bidder,
        schedule, pdf, holders: round.holders, threshold: round.threshold});
      const body = new FormData();
      body.append("ciphertext", new Blob([sealed.ciphertext], {type: "application/octet-stream"}), "bid.sealed");
      for (const name of ["context", "ciphertext_sha256", "key_commitment"]) body.append(name, sealed[name]);
      body.append("shares", JSON.stringify(sealed.shares));
      const r = await fetch(round.url, {method: "POST", credentials: "same-origin",
        headers: {"X-CSRFToken": SealedInput.csrf()}, body});
      const data = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(data.detail || ("HTTP " + r.status));
      document.getElementById("receipt-id").textContent = data.receipt.bid;
      document.getElementById("receipt-cipher").textContent = data.receipt.ciphertext_sha256;
      document.getElementById("receipt-commitment").textContent = data.receipt.key_commitment;
      document.getElementById("receipt-pdf").textContent = await BidFile.sha256hex(pdf);
      document.getElementById("receipt-log").textContent = JSON.stringify(data.receipt.log);
      document.getElementById("file-receipt").hidden = false;
      status.textContent = form.dataset.done;
    } catch (error) {
      status.textContent = error.message;
    }
  });
}());
