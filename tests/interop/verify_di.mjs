#!/usr/bin/env node
/*
 * Test oracle: verify Data Integrity credentials / presentations with Digital Bazaar's
 * reference stack (@digitalbazaar/vc + data-integrity + eddsa-rdfc-2022 / eddsa-jcs-2022).
 *
 * Usage:
 *   node verify_di.mjs [options] [FILE ...]        (no FILE, or "-": read stdin)
 *
 * Options:
 *   --challenge C          verify presentations with AuthenticationProofPurpose(challenge C)
 *   --domain D             ... and domain D
 *   --now ISO              date-time used for validFrom/validUntil checks (default: now)
 *   --ob303 VARIANT        copy of the OB 3.0.3 context to serve: "validator-2026" (default,
 *                          the copy Musette pins) or "spec-repo"
 *   --canonize             do not verify: print {"nquads": ...} per input, the RDFC-1.0
 *                          canonical N-Quads jsonld.js + rdf-canonize produce (for diagnosing
 *                          eddsa-rdfc-2022 disagreements)
 *
 * Each input is a JSON credential or presentation (a VerifiablePresentation is recognised by
 * its "type"), or a JSON array of them. Output on stdout:
 *   - one input holding one document:  {"verified": bool, "errors": [...]}
 *   - otherwise (several files or an array):
 *       {"verified": <all verified>, "results": [{"verified": bool, "errors": [...]}, ...]}
 * Exit status: 0 when everything verified, 1 when something did not, 2 on usage errors.
 *
 * The document loader (offline_loader.mjs, shared with wallet_reference_issuer.mjs) is
 * OFFLINE: JSON-LD contexts come only from
 * shared/jsonld/contexts/ (sha256-checked, same table as shared/jsonld/loader.py) and did:key
 * URLs resolve through @digitalbazaar/did-method-key (Ed25519 Multikey). Any other URL is an
 * error; nothing is ever fetched from the network.
 *
 * Status is NOT checked (no checkStatus): with vc-bitstring-status-list the DB stack reports a
 * revoked credential as verified (see docs/pitfalls.md), so a credential carrying
 * credentialStatus is rejected by @digitalbazaar/vc here ("A checkStatus function must be
 * given").
 */
import {readFileSync} from 'node:fs';

import jsonld from 'jsonld';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite as createJcsVerifyCryptosuite} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

import {OB303_FILES, makeDocumentLoader} from './offline_loader.mjs';

function usage(message) {
  process.stderr.write(`verify_di.mjs: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {files: [], challenge: undefined, domain: undefined, now: undefined,
    ob303: 'validator-2026', canonize: false, time: false, didDocs: {}, ignoreStatus: false};
  for(let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if(i + 1 >= argv.length) {
        usage(`${arg} needs a value`);
      }
      return argv[++i];
    };
    if(arg === '--challenge') {
      opts.challenge = value();
    } else if(arg === '--domain') {
      opts.domain = value();
    } else if(arg === '--now') {
      opts.now = value();
    } else if(arg === '--ob303') {
      opts.ob303 = value();
      if(!(opts.ob303 in OB303_FILES)) {
        usage(`--ob303 must be one of ${Object.keys(OB303_FILES).join(', ')}`);
      }
    } else if(arg === '--canonize') {
      opts.canonize = true;
    } else if(arg === '--ignore-status') {
      // the oracle checks proofs; status lists are Musette's own (stricter) check
      opts.ignoreStatus = true;
    } else if(arg === '--did-docs') {
      // a JSON file {did: DID document} for did:web issuers, fetched by the test beforehand
      opts.didDocs = JSON.parse(readFileSync(value(), 'utf8'));
    } else if(arg === '--time') {
      // bench/: report verifications per second over the inputs (after one warm-up)
      opts.time = true;
    } else if(arg.startsWith('--')) {
      usage(`unknown option ${arg}`);
    } else {
      opts.files.push(arg);
    }
  }
  return opts;
}

function errorMessages(error, out = [], depth = 0) {
  if(!error || depth > 8) {
    return out;
  }
  if(Array.isArray(error)) {
    for(const e of error) {
      errorMessages(e, out, depth + 1);
    }
    return out;
  }
  const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
  const message = error.message ?? String(error);
  if(message && !out.includes(`${name}${message}`)) {
    out.push(`${name}${message}`);
  }
  if(error.errors) {
    errorMessages(error.errors, out, depth + 1);
  }
  if(error.cause) {
    errorMessages(error.cause, out, depth + 1);
  }
  // jsonld.js wraps document loader failures: details.cause is the loader's own error
  if(error.details?.cause) {
    errorMessages(error.details.cause, out, depth + 1);
  }
  return out;
}

function collectErrors(result) {
  const errors = [];
  errorMessages(result.error, errors);
  for(const r of result.results ?? []) {
    errorMessages(r.error, errors);
  }
  for(const r of result.presentationResult?.results ?? []) {
    errorMessages(r.error, errors);
  }
  for(const [i, cr] of (result.credentialResults ?? []).entries()) {
    for(const m of collectErrors(cr)) {
      const tagged = `verifiableCredential[${i}]: ${m}`;
      if(!errors.includes(tagged)) {
        errors.push(tagged);
      }
    }
  }
  return errors;
}

function isPresentation(doc) {
  const types = Array.isArray(doc?.type) ? doc.type : [doc?.type];
  return types.includes('VerifiablePresentation');
}

async function canonizeOne(doc, documentLoader) {
  const unsecured = {...doc};
  delete unsecured.proof;
  try {
    const nquads = await jsonld.canonize(unsecured, {
      algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true
    });
    return {nquads};
  } catch(e) {
    return {nquads: null, errors: errorMessages(e)};
  }
}

async function verifyOne(doc, opts, documentLoader) {
  // fresh suite objects per call: DataIntegrityProof keeps per-instance state
  const suite = [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    new DataIntegrityProof({cryptosuite: createJcsVerifyCryptosuite()}),
  ];
  try {
    let result;
    if(isPresentation(doc)) {
      result = await vc.verify({
        presentation: doc, suite, documentLoader,
        challenge: opts.challenge, domain: opts.domain, now: opts.now
      });
    } else {
      const status = opts.ignoreStatus ? {checkStatus: async () => ({verified: true})} : {};
      result = await vc.verifyCredential({
        credential: doc, suite, documentLoader, now: opts.now, ...status
      });
    }
    const verified = result.verified === true;
    const errors = collectErrors(result);
    if(!verified && errors.length === 0) {
      errors.push('not verified (no error reported by @digitalbazaar/vc)');
    }
    return {verified, errors};
  } catch(e) {
    return {verified: false, errors: errorMessages(e)};
  }
}

function readInput(file) {
  const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  return JSON.parse(text);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const files = opts.files.length ? opts.files : ['-'];
  const documentLoader = makeDocumentLoader(opts.ob303, opts.didDocs);
  const docs = [];
  let single = files.length === 1;
  for(const file of files) {
    let parsed;
    try {
      parsed = readInput(file);
    } catch(e) {
      usage(`cannot read JSON from ${file}: ${e.message}`);
    }
    if(Array.isArray(parsed)) {
      single = false;
      docs.push(...parsed);
    } else {
      docs.push(parsed);
    }
  }
  const results = [];
  if(opts.canonize) {
    for(const doc of docs) {
      results.push(await canonizeOne(doc, documentLoader));
    }
    const ok = results.every(r => r.nquads !== null);
    process.stdout.write(JSON.stringify(single ? results[0] : {results}) + '\n');
    process.exitCode = ok ? 0 : 1;
    return;
  }
  if(opts.time && docs.length > 1) {
    await verifyOne(docs[0], opts, documentLoader);
    const start = process.hrtime.bigint();
    for(const doc of docs.slice(1)) {
      results.push(await verifyOne(doc, opts, documentLoader));
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const verified = results.every(r => r.verified);
    process.stdout.write(JSON.stringify({verified, rate: results.length / seconds}) + '\n');
    process.exitCode = verified ? 0 : 1;
    return;
  }
  for(const doc of docs) {
    results.push(await verifyOne(doc, opts, documentLoader));
  }
  const verified = results.length > 0 && results.every(r => r.verified);
  const output = single ? results[0] : {verified, results};
  process.stdout.write(JSON.stringify(output) + '\n');
  process.exitCode = verified ? 0 : 1;
}

await main();
