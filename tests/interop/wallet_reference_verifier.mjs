#!/usr/bin/env node
/*
 * A REFERENCE OpenID4VP 1.0 verifier for the wallet interop test: the verifier side of
 * @openid4vc/openid4vp 0.4.x (Openid4vpVerifier) with the `dcql` package, over real HTTP on
 * 127.0.0.1.
 *
 * Per request: client_id `redirect_uri:<its response_uri>`, a fresh nonce and state, a DCQL
 * query for one Open Badges 3.0 credential in the asked format (type_values are expanded IRIs,
 * vct for SD-JWT VC), response_mode direct_post. The library builds and validates the request
 * (createOpenId4vpAuthorizationRequest); it is served BY REFERENCE as an unsecured request
 * object (alg none, typ oauth-authz-req+jwt: a `redirect_uri:` client cannot sign, and the
 * library only builds signed JARs). The direct_post answer is parsed and validated by the
 * library (parseOpenid4vpAuthorizationResponse: state, DCQL vp_token shape), each
 * presentation is verified here with the reference libraries, and `dcql` decides whether the
 * verified presentations satisfy the query (DcqlPresentationResult):
 *   - dc+sd-jwt: @sd-jwt/sd-jwt-vc 0.19 verify (issuer signature, disclosures, KB-JWT with the
 *     nonce and the cnf key), then the KB-JWT's aud must be the full client_id;
 *   - jwt_vc_json: `jose` jwtVerify of the VP JWT (holder key from its kid, aud = client_id,
 *     nonce) and of each VC-JWT inside (issuer key from its kid), the subject being the holder;
 *   - ldp_vc: @digitalbazaar/vc verifyPresentation (eddsa-rdfc-2022 / eddsa-jcs-2022, challenge
 *     = nonce, domain = client_id) with an offline JSON-LD loader (the bundled contexts) and
 *     did:web / did:key / did:jwk resolution.
 * Keys come from the DIDs: did:jwk, did:key (Ed25519, P-256) and did:web over http on
 * 127.0.0.1. Credential status is not checked here (see docs/pitfalls.md).
 * A request is answered once: a second response to it is refused (replay).
 *
 * HTTP API for the test (same server):
 *   POST /admin/requests {"format": "dc+sd-jwt"|"jwt_vc_json"|"ldp_vc", "claims"?: [paths]}
 *        -> {"id", "link", "client_id", "nonce"}
 *   GET  /admin/results/<id> -> {"status": "pending"|"answered", "verified", "errors", ...}
 * Prints {"base": "http://127.0.0.1:<port>"} once listening; exits when stdin closes.
 */
import {createHash, createPublicKey, randomBytes, randomUUID, verify} from 'node:crypto';
import {createServer} from 'node:http';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {setGlobalConfig} from '@openid4vc/oauth2';
import {Openid4vpVerifier} from '@openid4vc/openid4vp';
import {DcqlPresentationResult, DcqlQuery} from 'dcql';
import {SDJwtVcInstance} from '@sd-jwt/sd-jwt-vc';
import {digest} from '@sd-jwt/crypto-nodejs';
import {decodeProtectedHeader, importJWK, jwtVerify} from 'jose';
import jsonld from 'jsonld';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite as createJcsVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import * as base58 from 'base58-universal';

setGlobalConfig({allowInsecureUrls: true}); // everything runs on http://127.0.0.1

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXT_DIR = join(HERE, '..', '..', 'shared', 'jsonld', 'contexts');
const OB3_VCT = 'https://purl.imsglobal.org/spec/ob/v3p0#OpenBadgeCredential';
const OB_TYPE_IRI = 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential';
const QUERY_IDS = {'dc+sd-jwt': 'badge_sd_jwt', jwt_vc_json: 'badge_jwt', ldp_vc: 'badge_ldp'};
const b64u = (value) => Buffer.from(value).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);

// ------------------------------------------------------------------ JSON-LD (offline)
const CONTEXTS = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://www.w3.org/2018/credentials/v1': 'credentials-v1.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-context-3.0.3.validator-2026.json',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
  'https://w3id.org/security/jwk/v1': 'jwk-v1.jsonld',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
  'https://www.w3.org/ns/credentials/status/v1': 'bitstring-status-list-v1.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': 'ob-v3p0-extensions.json',
};
const contextCache = new Map();

async function documentLoader(url) {
  if (typeof url === 'string' && url.startsWith('did:')) {
    const [did] = url.split('#');
    const doc = await resolveDid(did);
    if (!url.includes('#')) return {contextUrl: null, documentUrl: url, document: doc};
    const vm = findMethod(doc, url);
    return {contextUrl: null, documentUrl: url, document: {'@context': doc['@context'], ...vm}};
  }
  const key = String(url).split('#', 1)[0];
  const file = CONTEXTS[key];
  if (!file) throw new Error(`offline loader: ${url} is not a bundled context`);
  if (!contextCache.has(key)) contextCache.set(key, JSON.parse(readFileSync(join(CONTEXT_DIR, file), 'utf8')));
  return {contextUrl: null, documentUrl: url, document: structuredClone(contextCache.get(key))};
}

async function expandedTypes(credential) {
  const [node] = await jsonld.expand({'@context': credential['@context'], type: credential.type}, {documentLoader});
  return node['@type'];
}

// ------------------------------------------------------------------ DIDs
const P256_SPKI = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');

function jwkOfMultikey(multibase) {
  const bytes = Buffer.from(base58.decode(multibase.slice(1)));
  if (bytes[0] === 0xed && bytes[1] === 0x01) return {kty: 'OKP', crv: 'Ed25519', x: b64u(bytes.subarray(2))};
  if (bytes[0] === 0x80 && bytes[1] === 0x24) {
    return createPublicKey({key: Buffer.concat([P256_SPKI, bytes.subarray(2)]), format: 'der', type: 'spki'}).export({format: 'jwk'});
  }
  throw new Error(`unsupported multikey ${multibase.slice(0, 8)}…`);
}

async function resolveDid(did) {
  if (did.startsWith('did:jwk:')) {
    const jwk = JSON.parse(Buffer.from(did.slice(8), 'base64url').toString('utf8'));
    return {'@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/jwk/v1'], id: did,
      verificationMethod: [{id: `${did}#0`, type: 'JsonWebKey', controller: did, publicKeyJwk: jwk}],
      assertionMethod: [`${did}#0`], authentication: [`${did}#0`]};
  }
  if (did.startsWith('did:key:')) {
    const mb = did.slice('did:key:'.length);
    const id = `${did}#${mb}`;
    return {'@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'], id,
      verificationMethod: [{id, type: 'Multikey', controller: did, publicKeyMultibase: mb}],
      assertionMethod: [id], authentication: [id]};
  }
  if (did.startsWith('did:web:')) {
    const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
    if (!/^127\.0\.0\.1(:\d+)?$/.test(host)) throw new Error(`did:web outside 127.0.0.1: ${host}`);
    const url = path.length ? `http://${host}/${path.join('/')}/did.json` : `http://${host}/.well-known/did.json`;
    const resp = await fetch(url);
    if (!resp.ok) throw new Error(`${url} answered ${resp.status}`);
    return resp.json();
  }
  throw new Error(`cannot resolve ${did}`);
}

function findMethod(doc, didUrl) {
  const fragment = didUrl.slice(didUrl.indexOf('#'));
  const vm = (doc.verificationMethod ?? []).find((m) => m.id === didUrl || m.id === fragment || `${doc.id}${m.id}` === didUrl);
  if (!vm) throw new Error(`${didUrl} is not a verification method of ${doc.id}`);
  return {...vm, id: vm.id.startsWith('#') ? `${doc.id}${vm.id}` : vm.id};
}

async function jwkOfDidUrl(didUrl) {
  const did = didUrl.split('#')[0];
  const doc = await resolveDid(did);
  const vm = didUrl.includes('#') ? findMethod(doc, didUrl) : doc.verificationMethod[0];
  return vm.publicKeyJwk ?? jwkOfMultikey(vm.publicKeyMultibase);
}

const algOf = (jwk) => (jwk.crv === 'Ed25519' ? 'EdDSA' : 'ES256');

function verifyRaw(jwk, data, signatureB64u) {
  const key = createPublicKey({key: jwk, format: 'jwk'});
  const sig = Buffer.from(signatureB64u, 'base64url');
  return jwk.crv === 'Ed25519'
    ? verify(null, Buffer.from(data), key, sig)
    : verify('sha256', Buffer.from(data), {key, dsaEncoding: 'ieee-p1363'}, sig);
}

// ------------------------------------------------------------------ per-format verification
async function verifySdJwt(presentation, request) {
  const issuerJwt = presentation.split('~')[0];
  const header = decodeProtectedHeader(issuerJwt);
  const payload = JSON.parse(Buffer.from(issuerJwt.split('.')[1], 'base64url').toString('utf8'));
  const kid = header.kid?.startsWith('did:') ? header.kid : `${payload.iss}${header.kid ?? '#0'}`;
  const issuerJwk = await jwkOfDidUrl(kid);
  const instance = new SDJwtVcInstance({
    hasher: digest,
    verifier: (data, sig) => verifyRaw(issuerJwk, data, sig),
    kbVerifier: (data, sig, claims) => verifyRaw(claims.cnf.jwk, data, sig),
  });
  // keyBindingNonce: 0.19 checks the KB-JWT only when a nonce is given (PITFALLS.md)
  const result = await instance.verify(presentation, {keyBindingNonce: request.nonce});
  if (!result.kb) throw new Error('no key binding JWT');
  if (result.kb.payload.aud !== request.client_id) {
    throw new Error(`KB-JWT aud ${result.kb.payload.aud} is not the client_id ${request.client_id}`);
  }
  const {cnf, _sd_alg, ...claims} = result.payload;
  return {credential_format: 'dc+sd-jwt', vct: result.payload.vct, claims, cryptographic_holder_binding: true};
}

async function verifyJwtVp(presentation, request) {
  const header = decodeProtectedHeader(presentation);
  const holderJwk = await jwkOfDidUrl(header.kid);
  const {payload} = await jwtVerify(presentation, await importJWK(holderJwk, header.alg), {audience: request.client_id});
  if (payload.nonce !== request.nonce) throw new Error('VP JWT nonce is not the request nonce');
  const holder = payload.iss ?? payload.vp.holder;
  if (header.kid.split('#')[0] !== holder) throw new Error('the VP is not signed by its holder');
  const out = [];
  for (const jwt of payload.vp.verifiableCredential) {
    const raw = typeof jwt === 'string' ? jwt : String(jwt.id ?? '').replace(/^data:application\/vc\+jwt,/, '');
    const vcHeader = decodeProtectedHeader(raw);
    const issuerJwk = await jwkOfDidUrl(vcHeader.kid);
    const {payload: vcPayload} = await jwtVerify(raw, await importJWK(issuerJwk, vcHeader.alg));
    const credential = vcPayload.vc ?? vcPayload;
    const subject = vcPayload.sub ?? credential.credentialSubject?.id;
    if (subject !== holder) throw new Error(`the credential subject ${subject} is not the holder ${holder}`);
    out.push({credential_format: 'jwt_vc_json', type: await expandedTypes(credential), claims: credential,
      cryptographic_holder_binding: true});
  }
  if (out.length !== 1) throw new Error('one credential per presentation here');
  return out[0];
}

async function verifyLdpVp(presentation, request) {
  const suite = [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    new DataIntegrityProof({cryptosuite: createJcsVerifyCryptosuite()}),
  ];
  const result = await vc.verify({
    presentation, suite, documentLoader,
    challenge: request.nonce, domain: request.client_id,
    // status is not checked by the reference stack (PITFALLS.md): the bit is read elsewhere
    checkStatus: async () => ({verified: true}),
  });
  if (!result.verified) {
    const messages = [];
    const walk = (err, depth = 0) => {
      if (!err || depth > 6) return;
      if (Array.isArray(err)) return err.forEach((e) => walk(e, depth + 1));
      if (err.message) messages.push(err.message);
      walk(err.errors, depth + 1);
      walk(err.cause, depth + 1);
      walk(err.details?.cause, depth + 1);
    };
    walk([result.error, result.presentationResult?.results?.map((r) => r.error),
      (result.credentialResults ?? []).map((r) => [r.error, r.results?.map((x) => x.error)])]);
    throw new Error(`Data Integrity VP does not verify: ${[...new Set(messages)].join('; ')}`);
  }
  const holder = typeof presentation.holder === 'object' ? presentation.holder.id : presentation.holder;
  const [credential] = [presentation.verifiableCredential].flat();
  if (credential.credentialSubject?.id !== holder) throw new Error('the credential subject is not the holder');
  return {credential_format: 'ldp_vc', type: await expandedTypes(credential), claims: credential,
    cryptographic_holder_binding: true};
}
const VERIFY = {'dc+sd-jwt': verifySdJwt, jwt_vc_json: verifyJwtVp, ldp_vc: verifyLdpVp};

// ------------------------------------------------------------------ library
const callbacks = {
  fetch,
  hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  generateRandom: (length) => randomBytes(length),
  verifyJwt: async () => ({verified: false}), // no signed responses (JARM) here
};
const verifier = new Openid4vpVerifier({callbacks});

function dcqlQuery(format, claims) {
  const w3c = format !== 'dc+sd-jwt';
  const defaultClaims = w3c ? [['credentialSubject', 'achievement', 'name']] : [['achievement', 'name']];
  const query = {
    credentials: [{
      id: QUERY_IDS[format],
      format,
      meta: w3c ? {type_values: [[OB_TYPE_IRI]]} : {vct_values: [OB3_VCT]},
      claims: (claims ?? defaultClaims).map((path) => ({path})),
    }],
  };
  DcqlQuery.validate(DcqlQuery.parse(query));
  return query;
}

// ------------------------------------------------------------------ HTTP
let base = '';
const requests = new Map(); // id -> {payload, requestObject, result}

async function createRequest(body) {
  const id = randomUUID();
  const responseUri = `${base}/response/${id}`;
  const {authorizationRequestPayload} = await verifier.createOpenId4vpAuthorizationRequest({
    authorizationRequestPayload: {
      response_type: 'vp_token',
      response_mode: 'direct_post',
      client_id: `redirect_uri:${responseUri}`,
      response_uri: responseUri,
      nonce: b64u(randomBytes(24)),
      state: b64u(randomBytes(16)),
      dcql_query: dcqlQuery(body.format, body.claims),
      client_metadata: {
        client_name: 'Reference Verifier',
        vp_formats_supported: {
          'dc+sd-jwt': {'sd-jwt_alg_values': ['EdDSA', 'ES256'], 'kb-jwt_alg_values': ['EdDSA', 'ES256']},
          jwt_vc_json: {alg_values: ['EdDSA', 'ES256']},
          ldp_vc: {proof_type_values: ['DataIntegrityProof'], cryptosuite_values: ['eddsa-rdfc-2022', 'eddsa-jcs-2022']},
        },
      },
    },
  });
  const header = {alg: 'none', typ: 'oauth-authz-req+jwt'};
  const claims = {...authorizationRequestPayload, aud: 'https://self-issued.me/v2', iat: nowS(), exp: nowS() + 600};
  const requestObject = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}.`;
  const link = `openid4vp://?${new URLSearchParams({client_id: authorizationRequestPayload.client_id, request_uri: `${base}/request/${id}`})}`;
  requests.set(id, {payload: authorizationRequestPayload, requestObject, result: {status: 'pending'}, format: body.format});
  return {id, link, client_id: authorizationRequestPayload.client_id, nonce: authorizationRequestPayload.nonce};
}

async function receiveResponse(entry, form) {
  const request = entry.payload;
  const parsed = await verifier.parseOpenid4vpAuthorizationResponse({
    authorizationResponse: form,
    authorizationRequestPayload: request,
    callbacks,
  });
  if (parsed.type !== 'dcql') throw new Error('expected a DCQL response');
  const query = DcqlQuery.parse(request.dcql_query);
  const record = {};
  const verified = {};
  for (const [queryId, presentations] of Object.entries(parsed.dcql.presentations)) {
    const credentialQuery = query.credentials.find((q) => q.id === queryId);
    if (!credentialQuery) throw new Error(`vp_token has an unknown query id ${queryId}`);
    record[queryId] = [];
    for (const presentation of presentations) {
      record[queryId].push(await VERIFY[credentialQuery.format](presentation, request));
    }
    verified[queryId] = record[queryId].map((p) => p.claims);
  }
  const dcql = DcqlPresentationResult.fromDcqlPresentation(record, {dcqlQuery: query});
  DcqlPresentationResult.validate(dcql); // throws unless the query is satisfied
  return {verified: true, expected_nonce: parsed.expectedNonce, claims: verified};
}

function send(res, status, body) {
  res.writeHead(status, {'content-type': 'application/json', 'cache-control': 'no-store'});
  res.end(JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const describe = (err) => [err?.message ?? String(err), err?.cause?.message].filter(Boolean).join(': ');

async function handle(req, res) {
  const url = new URL(req.url, base);
  const [, first, id] = url.pathname.split('/');
  if (req.method === 'POST' && url.pathname === '/admin/requests') {
    return send(res, 201, await createRequest(JSON.parse(await readBody(req))));
  }
  if (req.method === 'GET' && first === 'admin' && url.pathname.startsWith('/admin/results/')) {
    const entry = requests.get(url.pathname.slice('/admin/results/'.length));
    return entry ? send(res, 200, entry.result) : send(res, 404, {error: 'not_found'});
  }
  const entry = requests.get(id);
  if (!entry) return send(res, 404, {error: 'not_found'});
  if (req.method === 'GET' && first === 'request') {
    res.writeHead(200, {'content-type': 'application/oauth-authz-req+jwt', 'cache-control': 'no-store'});
    return res.end(entry.requestObject);
  }
  if (req.method === 'POST' && first === 'response') {
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    if (entry.result.status !== 'pending') {
      return send(res, 400, {error: 'invalid_request', error_description: 'already answered (replay)'});
    }
    entry.result = {status: 'processing'};
    try {
      entry.result = {status: 'answered', ...(await receiveResponse(entry, form))};
      return send(res, 200, {});
    } catch (err) {
      const cause = err?.cause ? ` (${JSON.stringify(err.cause).slice(0, 1500)})` : '';
      entry.result = {status: 'answered', verified: false, errors: [describe(err) + cause]};
      return send(res, 400, {error: 'invalid_request', error_description: describe(err)});
    }
  }
  return send(res, 404, {error: 'not_found'});
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => send(res, 500, {error: 'server_error', error_description: String(err?.stack ?? err)}));
});
server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${JSON.stringify({base})}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
