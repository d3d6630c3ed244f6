#!/usr/bin/env node
/*
 * Test oracle: verify Musette's JWT credentials with `jose` 6.2.17 and its SD-JWT VCs with
 * `@sd-jwt/sd-jwt-vc` 0.19.0 (+ `@sd-jwt/crypto-nodejs` 0.19.0 for the hash).
 *
 * Usage: node verify_jose_sdjwt.mjs < cases.json
 *
 * stdin is a JSON array of cases:
 *   {"kind": "jwt", "token": "...", "jwk": {...}, "alg": "EdDSA"|"ES256", "typ": "vc+jwt",
 *    "now": <epoch seconds>}
 *      jose.jwtVerify(token, importJWK(jwk, alg), {algorithms: [alg], typ, currentDate})
 *   {"kind": "sd-jwt-vc", "token": "...", "jwk": {...}, "nonce": "..."|null, "aud": "..."|null,
 *    "now": <epoch seconds>}
 *      SDJwtVcInstance({verifier: issuer jwk, kbVerifier: payload.cnf.jwk}).verify(token,
 *      {keyBindingNonce: nonce, currentDate: now}); @sd-jwt 0.19 does not check the KB-JWT
 *      aud, so this script compares kb.payload.aud with "aud" itself.
 *
 * stdout: a JSON array, one {"verified": bool, "error": string|null, "claims": {...}|null}
 * per case. Nothing is fetched: the keys are given, and no status or vct metadata is loaded.
 */

import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { importJWK, jwtVerify } from 'jose';

function base64urlToBuffer(text) {
  return Buffer.from(text, 'base64url');
}

// A JWS verifier for a public JWK: EdDSA for OKP/Ed25519, ES256 for EC/P-256.
function jwkVerifier(jwk) {
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  return async (data, signature) => {
    const sig = base64urlToBuffer(signature);
    if (jwk.kty === 'OKP') return nodeVerify(null, Buffer.from(data), key, sig);
    if (jwk.kty === 'EC' && jwk.crv === 'P-256') {
      return nodeVerify('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, sig);
    }
    throw new Error(`unsupported key ${jwk.kty}/${jwk.crv}`);
  };
}

async function verifyJwt(c) {
  const key = await importJWK(c.jwk, c.alg);
  const { payload, protectedHeader } = await jwtVerify(c.token, key, {
    algorithms: [c.alg],
    typ: c.typ,
    currentDate: c.now ? new Date(c.now * 1000) : undefined,
  });
  return { payload, header: protectedHeader };
}

async function verifySdJwtVc(c) {
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    verifier: jwkVerifier(c.jwk),
    kbVerifier: async (data, signature, payload) => {
      const cnf = payload && payload.cnf && payload.cnf.jwk;
      if (!cnf) throw new Error('no cnf.jwk');
      return jwkVerifier(cnf)(data, signature);
    },
  });
  const options = { currentDate: c.now };
  if (c.nonce) options.keyBindingNonce = c.nonce;
  const result = await sdjwt.verify(c.token, options);
  if (c.nonce && !result.kb) throw new Error('key binding was required but not verified');
  if (c.aud && (!result.kb || result.kb.payload.aud !== c.aud)) {
    throw new Error(`KB-JWT aud ${result.kb && result.kb.payload.aud} is not ${c.aud}`);
  }
  const claims = await sdjwt.getClaims(c.token);
  return { payload: result.payload, header: result.header, claims };
}

const cases = JSON.parse(readFileSync(0, 'utf8'));
if (process.argv.includes('--time')) {
  // bench/: verifications per second over the cases (after one warm-up), all must verify
  const run = c => (c.kind === 'jwt' ? verifyJwt(c) : verifySdJwtVc(c));
  await run(cases[0]);
  const start = process.hrtime.bigint();
  let verified = true;
  for (const c of cases.slice(1)) {
    try { await run(c); } catch { verified = false; }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ verified, rate: (cases.length - 1) / seconds }));
  process.exit(verified ? 0 : 1);
}
const results = [];
for (const c of cases) {
  try {
    const out = c.kind === 'jwt' ? await verifyJwt(c) : await verifySdJwtVc(c);
    results.push({ verified: true, error: null, claims: out.claims ?? out.payload });
  } catch (err) {
    results.push({ verified: false, error: String(err && err.message ? err.message : err), claims: null });
  }
}
process.stdout.write(JSON.stringify(results));
