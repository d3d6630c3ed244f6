#!/usr/bin/env node
/*
 * Test oracle: open a passphrase-protected Musette wallet export with `jose` 6.2.17 alone.
 *
 * Usage: node decrypt_wallet_archive.mjs < case.json
 *
 * stdin: {"jwe": "<compact JWE>", "passphrase": "..."}
 *   jose.compactDecrypt(jwe, UTF-8 bytes of the passphrase, {keyManagementAlgorithms:
 *   ["PBES2-HS512+A256KW"], contentEncryptionAlgorithms: ["A256GCM"], maxPBES2Count: 10e6})
 *
 * stdout: {"ok": true, "header": {...}, "plaintext": "<base64 of the ZIP>"} or
 *         {"ok": false, "error": "<jose error code>"}
 */

import { readFileSync } from 'node:fs';

import { compactDecrypt } from 'jose';

const input = JSON.parse(readFileSync(0, 'utf8'));
try {
  const { plaintext, protectedHeader } = await compactDecrypt(
    input.jwe,
    new TextEncoder().encode(input.passphrase.normalize('NFC')),
    {
      keyManagementAlgorithms: ['PBES2-HS512+A256KW'],
      contentEncryptionAlgorithms: ['A256GCM'],
      maxPBES2Count: 10_000_000,
    },
  );
  process.stdout.write(JSON.stringify({
    ok: true,
    header: protectedHeader,
    plaintext: Buffer.from(plaintext).toString('base64'),
  }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, error: err.code ?? String(err) }));
}
