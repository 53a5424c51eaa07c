// Proof of work for the report form (see sonae-domain intake/pow.rs):
// find a nonce such that SHA-256(challenge + nonce) starts with `bits` zero
// bits. Plain JavaScript SHA-256 (FIPS 180-4), because crypto.subtle is
// missing on plain-http intranet hosts and is slow per small async call.
(function () {
  'use strict';
  var K = new Uint32Array([0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2]);
  var W = new Uint32Array(64);
  function sha256(msg) {
    var len = msg.length;
    var n = ((len + 9 + 63) >> 6) << 6;
    var buf = new Uint8Array(n);
    buf.set(msg);
    buf[len] = 0x80;
    var dv = new DataView(buf.buffer);
    dv.setUint32(n - 4, (len * 8) >>> 0);
    dv.setUint32(n - 8, Math.floor(len / 0x20000000));
    var H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    for (var off = 0; off < n; off += 64) {
      var i;
      for (i = 0; i < 16; i++) W[i] = dv.getUint32(off + i * 4);
      for (i = 16; i < 64; i++) {
        var a15 = W[i - 15], a2 = W[i - 2];
        var s0 = ((a15 >>> 7) | (a15 << 25)) ^ ((a15 >>> 18) | (a15 << 14)) ^ (a15 >>> 3);
        var s1 = ((a2 >>> 17) | (a2 << 15)) ^ ((a2 >>> 19) | (a2 << 13)) ^ (a2 >>> 10);
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }
    return H;
  }
  function zeroBits(H) {
    var n = 0;
    for (var i = 0; i < 8; i++) {
      var w = H[i] >>> 0;
      if (w !== 0) return n + Math.clz32(w);
      n += 32;
    }
    return n;
  }
  function ascii(s) {
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
    return out;
  }
  // Search in slices so the page stays responsive; call done(nonce).
  function solve(challenge, bits, done) {
    var prefix = ascii(challenge);
    var nonce = 0;
    function slice() {
      for (var k = 0; k < 4000; k++, nonce++) {
        var digits = ascii(String(nonce));
        var msg = new Uint8Array(prefix.length + digits.length);
        msg.set(prefix);
        msg.set(digits, prefix.length);
        if (zeroBits(sha256(msg)) >= bits) {
          done(String(nonce));
          return;
        }
      }
      setTimeout(slice, 0);
    }
    slice();
  }
  if (typeof module !== 'undefined') {
    module.exports = { sha256: sha256, zeroBits: zeroBits, solve: solve, ascii: ascii };
    return;
  }
  var form = document.getElementById('report-form');
  var challenge = document.getElementById('pow-challenge');
  var nonceField = document.getElementById('pow-nonce');
  var status = document.getElementById('pow-status');
  if (!form || !challenge || !nonceField) return;
  var ready = false, waiting = false;
  form.classList.add('js');
  solve(challenge.value, parseInt(challenge.getAttribute('data-bits'), 10) || 16, function (nonce) {
    nonceField.value = nonce;
    ready = true;
    if (status) status.textContent = form.getAttribute('data-pow-done') || '';
    if (waiting) form.submit();
  });
  form.addEventListener('submit', function (ev) {
    if (ready) return;
    ev.preventDefault();
    waiting = true;
    if (status) status.textContent = form.getAttribute('data-pow-working') || '';
  });
})();
