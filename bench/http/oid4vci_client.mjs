#!/usr/bin/env node
/*
 * Bench client: the whole OpenID4VCI pre-authorized exchange, many at once.
 *
 *   node oid4vci_client.mjs OFFERS_FILE CONCURRENCY
 *
 * For each credential_offer_uri of OFFERS_FILE (one a line): GET the offer, POST /token
 * (pre-authorized code), POST /nonce, sign a key proof (openid4vci-proof+jwt, EdDSA, the
 * public JWK in the header: OpenID4VCI 1.0 Appendix F.1), POST /credential. CONCURRENCY
 * exchanges run at once. Prints {"rps", "p50_ms", "p99_ms", "errors", "n"} (one exchange =
 * one credential; latency = the whole exchange).
 */
import {readFileSync} from 'node:fs';
import http from 'node:http';

import {SignJWT, exportJWK, generateKeyPair} from 'jose';

const [file, concurrency] = process.argv.slice(2);
const offers = readFileSync(file, 'utf8').split('\n').filter(Boolean);
const GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
const agent = new http.Agent({keepAlive: true, maxSockets: Number(concurrency)});
const {privateKey, publicKey} = await generateKeyPair('EdDSA', {crv: 'Ed25519'});
const jwk = await exportJWK(publicKey);

function request(url, {method = 'GET', headers = {}, body} = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method, headers, agent}, res => {
      const chunks = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if(res.statusCode >= 300) {
          reject(new Error(`${method} ${url}: ${res.statusCode} ${text.slice(0, 200)}`));
        } else {
          resolve(JSON.parse(text));
        }
      });
    });
    req.on('error', reject);
    if(body !== undefined) {
      req.write(body);
    }
    req.end();
  });
}

async function exchange(uri) {
  const offer = await request(uri);
  const base = offer.credential_issuer;
  const code = offer.grants[GRANT]['pre-authorized_code'];
  const form = new URLSearchParams({grant_type: GRANT, 'pre-authorized_code': code}).toString();
  const token = await request(`${base}/token`, {
    method: 'POST', body: form,
    headers: {'content-type': 'application/x-www-form-urlencoded'},
  });
  const {c_nonce: nonce} = await request(`${base}/nonce`, {method: 'POST'});
  const proof = await new SignJWT({aud: base, iat: Math.floor(Date.now() / 1000), nonce})
    .setProtectedHeader({alg: 'EdDSA', typ: 'openid4vci-proof+jwt', jwk})
    .sign(privateKey);
  const body = JSON.stringify({
    credential_configuration_id: offer.credential_configuration_ids[0],
    proofs: {jwt: [proof]},
  });
  const answer = await request(`${base}/credential`, {
    method: 'POST', body,
    headers: {'content-type': 'application/json', authorization: `Bearer ${token.access_token}`},
  });
  if(!answer.credentials?.length) {
    throw new Error('no credential');
  }
}

const latencies = [];
let errors = 0;
let next = 0;
let firstError;
const start = performance.now();
await Promise.all(Array.from({length: Number(concurrency)}, async () => {
  while(next < offers.length) {
    const uri = offers[next++];
    const t0 = performance.now();
    try {
      await exchange(uri);
      latencies.push(performance.now() - t0);
    } catch(e) {
      errors++;
      firstError ??= String(e);
    }
  }
}));
const seconds = (performance.now() - start) / 1000;
latencies.sort((a, b) => a - b);
const pick = q => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : 0;
if(firstError) {
  process.stderr.write(`first error: ${firstError}\n`);
}
process.stdout.write(JSON.stringify({
  rps: latencies.length / seconds, p50_ms: pick(0.5), p99_ms: pick(0.99), errors, n: latencies.length,
}) + '\n');
agent.destroy();
