// The remote opening (不见面开标): key holders make their key here (the private half is downloaded as a file,
// only the public half is registered), and at the opening load that file to decrypt their share of every bid
// locally and post the shares. Everyone watching sees the ceremony live (server-sent events).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("opening-data").textContent);
  const say = (id, text) => { const el = document.getElementById(id); if (el) el.textContent = text; };

  const makeKey = document.getElementById("make-key");
  if (makeKey) makeKey.addEventListener("click", async () => {
    try {
      const key = await BidFile.generateHolderKey();
      const file = new Blob([JSON.stringify({scheme: "bidfile-v1", project: data.project, round: data.round,
        fingerprint: key.fingerprint, private_jwk: key.privateJwk}, null, 1)], {type: "application/json"});
      const link = document.createElement("a");
      link.href = URL.createObjectURL(file);
      link.download = `opening-key-${data.project}-${key.fingerprint.slice(0, 8)}.json`;
      document.body.appendChild(link); link.click(); link.remove();
      const answer = await SealedInput.post(data.keys_url, {public_jwk: key.publicJwk});
      say("key-status", `${makeKey.dataset.done} #${answer.position} ${answer.fingerprint}`);
      makeKey.hidden = true;
    } catch (error) { say("key-status", error.message); }
  });

  const postShares = document.getElementById("post-shares");
  if (postShares) postShares.addEventListener("click", async () => {
    try {
      const file = document.getElementById("key-file").files[0];
      if (!file) { say("shares-status", postShares.dataset.noFile); return; }
      const keyFile = JSON.parse(await file.text());
      const r = await fetch(data.shares_url, {credentials: "same-origin"});
      const listing = await r.json();
      if (!r.ok) throw new Error(listing.detail || ("HTTP " + r.status));
      if (await BidFile.fingerprint(keyFile.private_jwk) !== listing.fingerprint) {
        say("shares-status", postShares.dataset.wrongKey); return;
      }
      // A share that does not open here was wrapped for another context (a bid relabelled from another
      // project): it is skipped, so that one bidder's file cannot stop the opening of the others.
      const shares = [], skipped = [];
      for (const item of listing.items) {
        try {
          const value = await BidFile.unwrapShare(keyFile.private_jwk, item.wrapped, item.share_aad);
          shares.push({bid: item.bid, share: BidFile.hex(value)});
        } catch (error) { skipped.push(item.bidder); }
      }
      const answer = shares.length ? await SealedInput.post(data.shares_url, {shares}) : {count: 0};
      say("shares-status", `${postShares.dataset.done} ${shares.length} · ${postShares.dataset.opened} ${answer.count}` +
        (skipped.length ? ` · ${postShares.dataset.skipped} ${skipped.join("、")}` : ""));
    } catch (error) { say("shares-status", error.message); }
  });

  // --- the live ceremony ---
  const table = document.getElementById("live-bids");
  function render(state) {
    say("live-state", data.states[state.state] || state.state);
    if (!table) return;
    table.replaceChildren(...state.bids.map((b) => {
      const row = document.createElement("tr");
      const cells = [b.bidder, b.ciphertext_sha256.slice(0, 16) + "…", `${b.shares.length} / ${state.threshold}`,
        b.hash_checked ? data.labels.matched : (b.valid === false ? data.labels.failed : data.labels.waiting),
        b.price === null ? "—" : b.price, b.valid === null ? "" : (b.valid ? data.labels.valid : b.reason)];
      for (const text of cells) { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); }
      row.dataset.bid = b.id;
      return row;
    }));
    if (state.record_sha256) {  // opened while the page was open: the digest, and a link to confirm or object
      say("record-sha256", state.record_sha256);
      const notice = document.getElementById("opened-notice");
      if (notice) notice.hidden = false;
    }
  }
  if (window.EventSource && data.events_url) {
    const source = new EventSource(data.events_url);
    source.onmessage = (event) => render(JSON.parse(event.data));
  }
}());
