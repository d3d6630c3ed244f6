#!/usr/bin/env node
/*
 * Bench anchor: a minimal HTTP server around `jose` verifying a vc+jwt (EdDSA) per POST.
 *
 *   node jose_server.mjs PORT WORKERS PUBLIC_JWK_FILE
 *
 * Node's cluster module runs WORKERS processes sharing PORT (as uvicorn --workers does).
 * The body is the token; the answer {"verified": bool} (the signature and the JWT's time
 * claims: the floor of what a verifier does).
 */
import {readFileSync} from 'node:fs';

import {importJWK, jwtVerify} from 'jose';

import {serve} from './serve.mjs';

const [port, workers, jwkFile] = process.argv.slice(2);

await serve(port, workers, async () => {
  const key = await importJWK(JSON.parse(readFileSync(jwkFile, 'utf8')), 'EdDSA');
  return async body => {
    await jwtVerify(body.trim(), key);
    return true;
  };
});
