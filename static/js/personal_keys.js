// Personal signing keys in this browser (Web Crypto ECDSA P-256). The private key is made non-extractable and kept
// in this browser's IndexedDB: no script, ours included, can read its bytes, and it never leaves the machine; only
// the public key (SPKI, base64) is sent, for the centre's administrator to bind to the account. Losing the browser
// profile loses the key: the person makes a new one and the administrator revokes the old one (what it signed
// before stays valid).
window.PersonalKeys = (function () {
  "use strict";
  const DB = "jiaoyi-signing-keys", STORE = "keys";
  const hex = (buf) => Array.from(new Uint8Array(buf)).map((b) => b.toString(16).padStart(2, "0")).join("");
  const b64 = (buf) => btoa(String.fromCharCode.apply(null, Array.from(new Uint8Array(buf))));

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, {keyPath: "fingerprint"});
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function run(mode, action) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
    });
  }
  const get = (fingerprint) => run("readonly", (s) => s.get(fingerprint));
  const remove = (fingerprint) => run("readwrite", (s) => s.delete(fingerprint));
  async function held(fingerprints) {
    for (const fp of fingerprints) { if (await get(fp)) return fp; }
    return null;
  }
  // A new key pair: the private half stays here (non-extractable); answers {fingerprint, publicKey}.
  async function generate(username) {
    const pair = await crypto.subtle.generateKey({name: "ECDSA", namedCurve: "P-256"}, false, ["sign", "verify"]);
    const spki = await crypto.subtle.exportKey("spki", pair.publicKey);
    const fingerprint = hex(await crypto.subtle.digest("SHA-256", spki));
    const record = {fingerprint, username, privateKey: pair.privateKey, publicKey: b64(spki),
                    created: new Date().toISOString()};
    await run("readwrite", (s) => s.put(record));
    return {fingerprint, publicKey: record.publicKey};
  }
  // ECDSA P-256 / SHA-256 of the UTF-8 text; base64 of r || s (IEEE P1363, as Web Crypto gives it).
  async function sign(fingerprint, text) {
    const record = await get(fingerprint);
    if (!record) throw new Error("no private key for " + fingerprint);
    const signature = await crypto.subtle.sign({name: "ECDSA", hash: "SHA-256"}, record.privateKey,
                                               new TextEncoder().encode(text));
    return b64(signature);
  }
  return {generate, sign, held, get, remove};
}());
