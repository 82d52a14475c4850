// bidfile-v1 in the browser (the ceremony: docs/evaluation.md; the same scheme in Python: evaluation/bidfile.py).
// The bidder's browser is the dealer of its own bid: a random AES-256-GCM content key encrypts the package
// (price schedule JSON + PDF); the key is split k-of-n with Shamir over GF(256) and share i is encrypted to key
// holder i's ECDH P-256 public key. Key holders make their key pair here and keep the private key as a file.
window.BidFile = (function () {
  "use strict";
  const SCHEME = "bidfile-v1";
  const enc = new TextEncoder();

  // --- GF(256), AES polynomial x^8 + x^4 + x^3 + x + 1, generator 3 (as evaluation/sealing.py) ---
  const EXP = new Uint8Array(510), LOG = new Uint8Array(256);
  (function () {
    let v = 1;
    for (let p = 0; p < 255; p++) {
      EXP[p] = v; LOG[v] = p;
      v ^= (v << 1) ^ ((v & 0x80) ? 0x11B : 0);
    }
    for (let p = 255; p < 510; p++) EXP[p] = EXP[p - 255];
  }());
  const mul = (a, b) => (a === 0 || b === 0) ? 0 : EXP[LOG[a] + LOG[b]];
  const div = (a, b) => (a === 0) ? 0 : EXP[LOG[a] - LOG[b] + 255];

  function random(n) { const a = new Uint8Array(n); crypto.getRandomValues(a); return a; }

  // n points of random degree k-1 polynomials whose constant terms are the secret's bytes: [[x, Uint8Array]]
  function split(secret, n, k) {
    if (!(2 <= k && k <= n && n <= 255)) throw new Error("need 2 <= k <= n <= 255");
    const coefficients = [];
    for (let i = 0; i < k - 1; i++) coefficients.push(random(secret.length));
    const points = [];
    for (let x = 1; x <= n; x++) {
      const y = Uint8Array.from(secret);
      let power = 1;
      for (const c of coefficients) {
        power = mul(power, x);
        for (let i = 0; i < y.length; i++) y[i] ^= mul(c[i], power);
      }
      points.push([x, y]);
    }
    return points;
  }

  function combine(points) {
    const secret = new Uint8Array(points[0][1].length);
    points.forEach(([xi, yi], i) => {
      let basis = 1;
      points.forEach(([xj], j) => { if (j !== i) basis = mul(basis, div(xj, xj ^ xi)); });
      for (let p = 0; p < secret.length; p++) secret[p] ^= mul(yi[p], basis);
    });
    return secret;
  }

  // --- encodings ---
  const hex = (bytes) => Array.from(bytes).map((b) => b.toString(16).padStart(2, "0")).join("");
  const unhex = (s) => Uint8Array.from(s.match(/../g) || [], (h) => parseInt(h, 16));
  const b64url = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4)),
    (c) => c.charCodeAt(0));
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }
  async function sha256hex(bytes) { return hex(await sha256(bytes)); }

  // --- keys ---
  const rawPoint = (jwk) => concat(Uint8Array.of(4), b64url(jwk.x), b64url(jwk.y));
  const fingerprint = (jwk) => sha256hex(rawPoint(jwk));

  async function generateHolderKey() {
    const pair = await crypto.subtle.generateKey({name: "ECDH", namedCurve: "P-256"}, true, ["deriveBits"]);
    const privateJwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    const publicJwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const pub = {kty: "EC", crv: "P-256", x: publicJwk.x, y: publicJwk.y};
    return {publicJwk: pub, privateJwk: {kty: "EC", crv: "P-256", x: privateJwk.x, y: privateJwk.y, d: privateJwk.d},
      fingerprint: await fingerprint(pub)};
  }

  async function wrappingKey(shared, ephemeralRaw, holderRaw, usage) {
    const base = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
    const info = concat(enc.encode(SCHEME + "-wrap"), ephemeralRaw, holderRaw);
    return crypto.subtle.deriveKey({name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info}, base,
      {name: "AES-GCM", length: 256}, false, [usage]);
  }

  const shareDigest = (position, value) => sha256hex(concat(enc.encode(`${SCHEME}-share|${position}|`), value));
  const contentAad = (project, round, bidder) => `${SCHEME}|${project}|${round}|${bidder}`;
  const shareAad = (project, round, bidder, position, fp) =>
    `${SCHEME}-share|${project}|${round}|${bidder}|${position}|${fp}`;

  async function wrapShare(holderJwk, position, value, aad) {
    const holder = await crypto.subtle.importKey("jwk", {kty: "EC", crv: "P-256", x: holderJwk.x, y: holderJwk.y},
      {name: "ECDH", namedCurve: "P-256"}, false, []);
    const eph = await crypto.subtle.generateKey({name: "ECDH", namedCurve: "P-256"}, true, ["deriveBits"]);
    const ephRaw = new Uint8Array(await crypto.subtle.exportKey("raw", eph.publicKey));
    const shared = await crypto.subtle.deriveBits({name: "ECDH", public: holder}, eph.privateKey, 256);
    const kek = await wrappingKey(shared, ephRaw, rawPoint(holderJwk), "encrypt");
    const nonce = random(12);
    const ct = new Uint8Array(await crypto.subtle.encrypt({name: "AES-GCM", iv: nonce,
      additionalData: enc.encode(aad)}, kek, value));
    return {position, ephemeral: hex(ephRaw), nonce: hex(nonce), ciphertext: hex(ct),
      share_sha256: await shareDigest(position, value)};
  }

  async function unwrapShare(privateJwk, wrapped, aad) {
    const priv = await crypto.subtle.importKey("jwk", privateJwk, {name: "ECDH", namedCurve: "P-256"}, false,
      ["deriveBits"]);
    const ephRaw = unhex(wrapped.ephemeral);
    const eph = await crypto.subtle.importKey("raw", ephRaw, {name: "ECDH", namedCurve: "P-256"}, false, []);
    const shared = await crypto.subtle.deriveBits({name: "ECDH", public: eph}, priv, 256);
    const kek = await wrappingKey(shared, ephRaw, rawPoint(privateJwk), "decrypt");
    return new Uint8Array(await crypto.subtle.decrypt({name: "AES-GCM", iv: unhex(wrapped.nonce),
      additionalData: enc.encode(aad)}, kek, unhex(wrapped.ciphertext)));
  }

  // The package: uint32 big-endian length of the schedule's UTF-8 JSON ‖ that JSON ‖ the PDF bytes.
  function packageBytes(schedule, pdf) {
    const text = enc.encode(JSON.stringify(schedule));
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, text.length);
    return concat(length, text, pdf);
  }

  // holders: [{position, public_jwk, fingerprint}] in position order 1..n
  async function sealBid({project, round, bidder, schedule, pdf, holders, threshold}) {
    const contentKey = random(32);
    const context = contentAad(project, round, bidder);
    const key = await crypto.subtle.importKey("raw", contentKey, "AES-GCM", false, ["encrypt"]);
    const nonce = random(12);
    const ct = new Uint8Array(await crypto.subtle.encrypt({name: "AES-GCM", iv: nonce,
      additionalData: enc.encode(context)}, key, packageBytes(schedule, pdf)));
    const ciphertext = concat(nonce, ct);
    const points = split(contentKey, holders.length, threshold);
    const shares = [];
    for (const [x, y] of points) {
      const holder = holders.find((h) => h.position === x);
      if (await fingerprint(holder.public_jwk) !== holder.fingerprint) throw new Error("holder key fingerprint");
      shares.push(await wrapShare(holder.public_jwk, x, y, shareAad(project, round, bidder, x, holder.fingerprint)));
      y.fill(0);
    }
    const sealed = {ciphertext, ciphertext_sha256: await sha256hex(ciphertext),
      key_commitment: await sha256hex(contentKey), shares, context};
    contentKey.fill(0);
    return sealed;
  }

  return {split, combine, hex, unhex, sha256hex, fingerprint, generateHolderKey, wrapShare, unwrapShare, sealBid,
    shareDigest, contentAad, shareAad, packageBytes};
}());
