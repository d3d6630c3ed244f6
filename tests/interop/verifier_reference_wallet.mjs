#!/usr/bin/env node
/*
 * A REFERENCE OpenID4VP 1.0 wallet for the verifier interop test: the holder side of
 * @openid4vc/openid4vp 0.4.x (Openid4vpClient) with the `dcql` package evaluating the query,
 * presenting to Musette's verifier over real HTTP on 127.0.0.1.
 *
 * It holds Open Badges 3.0 credentials issued here, in Node, by a fresh Ed25519 did:jwk
 * issuer to a fresh Ed25519 did:jwk holder:
 *   - dc+sd-jwt: issued with @sd-jwt/sd-jwt-vc 0.19 (credentialSubject selectively
 *     disclosable, cnf = the holder's key), presented with a KB-JWT (aud, nonce, sd_hash);
 *   - jwt_vc_json: a VC-JWT signed with `jose`, presented inside a VP JWT (VC 1.1 `vp` claim,
 *     iss = holder, aud = client_id, nonce) signed with `jose`.
 *
 * The library parses the authorization request link, resolves the request object (fetching
 * `request_uri`, verifying the JAR signature of a `decentralized_identifier:` client through
 * a did:web resolver given as its verifyJwt callback), validates the client_id prefix and
 * response_uri, builds the authorization response (state) and submits it with direct_post.
 * `dcql` parses, validates and runs the DCQL query against the held credential.
 *
 * Both kinds of request the verifier sends go through the library untouched: a signed
 * `decentralized_identifier:` request object by reference (the default), and an unsigned
 * `redirect_uri:` request passed by value in the link (0.4.6 refuses an unsigned request object
 * by reference, "JAR request object is not a valid JWT", so the verifier never sends one).
 *
 * Protocol on stdin/stdout, one JSON object per line:
 *   start: prints {"issuer_did", "holder_did"}
 *   in:  {"link": "openid4vp://?...", "format": "dc+sd-jwt"|"jwt_vc_json",
 *         "audience": optional override of aud (a presentation meant for another verifier),
 *         "disclose": optional list of claim paths (SD-JWT; default: what DCQL asks for),
 *         "submissions": how many times to POST the same response (2 = a replay)}
 *   out: {"ok": true, "client": {...}, "query_id", "can_be_satisfied", "disclosed",
 *         "responses": [{"status", "body"}]}  or  {"ok": false, "error": "..."}
 * Exits when stdin closes.
 */
import {createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {createInterface} from 'node:readline';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {setGlobalConfig} from '@openid4vc/oauth2';
import {Openid4vpClient} from '@openid4vc/openid4vp';
import {DcqlQuery} from 'dcql';
import {SDJwtVcInstance} from '@sd-jwt/sd-jwt-vc';
import {digest} from '@sd-jwt/crypto-nodejs';
import {SignJWT, importJWK} from 'jose';
import * as base58 from 'base58-universal';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';

setGlobalConfig({allowInsecureUrls: true}); // the verifier runs on http://127.0.0.1

const HERE = dirname(fileURLToPath(import.meta.url));
const TEMPLATE = JSON.parse(readFileSync(join(HERE, '..', 'data', 'peers', 'ob3-credential.unsigned.json'), 'utf8'));
const OB3_VCT = 'https://purl.imsglobal.org/spec/ob/v3p0#OpenBadgeCredential';
// The expanded IRIs of the credential's types under its @context (VC 2.0 + OB 3.0.3): DCQL
// type_values are compared with these (OpenID4VP 1.0 B.1.1).
const EXPANDED_TYPES = {
  VerifiableCredential: 'https://www.w3.org/2018/credentials#VerifiableCredential',
  OpenBadgeCredential: 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential',
  AchievementCredential: 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential',
};
const b64u = (value) => Buffer.from(value).toString('base64url');
const sorted = (jwk) => Object.fromEntries(Object.keys(jwk).sort().map((k) => [k, jwk[k]]));
const nowS = () => Math.floor(Date.now() / 1000);

function didJwkKey() {
  const {publicKey, privateKey} = generateKeyPairSync('ed25519');
  const jwk = sorted(publicKey.export({format: 'jwk'}));
  const did = `did:jwk:${b64u(JSON.stringify(jwk))}`;
  return {publicKey, privateKey, jwk, privateJwk: privateKey.export({format: 'jwk'}), did, kid: `${did}#0`};
}
const issuer = didJwkKey();
const holder = didJwkKey();

// ------------------------------------------------------------------ credentials (held)
function ob3() {
  const cred = structuredClone(TEMPLATE);
  cred.id = `urn:uuid:${randomUUID()}`;
  cred.name = 'Reference wallet badge';
  cred.issuer = {...cred.issuer, id: issuer.did, name: 'Reference Wallet Issuer'};
  cred.validFrom = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  cred.credentialSubject = {
    ...cred.credentialSubject,
    id: holder.did,
    // a rating as docs/decisions/rating-credentials.md defines it: a result described as ext:Rating, on a 0-5 scale
    achievement: {
      ...cred.credentialSubject.achievement,
      achievementType: 'CommunityService',
      resultDescription: [{
        id: 'urn:example:rating', type: ['ResultDescription'], name: 'Rating',
        resultType: 'ext:Rating', valueMin: '0', valueMax: '5',
      }],
    },
    result: [{type: ['Result'], resultDescription: 'urn:example:rating', value: '4.8'}],
  };
  return cred;
}

async function issueVcJwt() {
  const cred = ob3();
  const key = await importJWK({...issuer.privateJwk, alg: 'EdDSA'}, 'EdDSA');
  const jwt = await new SignJWT({vc: cred, jti: cred.id, sub: holder.did})
    .setProtectedHeader({alg: 'EdDSA', typ: 'JWT', kid: issuer.kid})
    .setIssuer(issuer.did)
    .setIssuedAt()
    .setNotBefore(Math.floor(Date.parse(cred.validFrom) / 1000))
    .sign(key);
  return {jwt, claims: cred};
}

const sdjwt = new SDJwtVcInstance({
  signer: (data) => b64u(sign(null, Buffer.from(data), issuer.privateKey)),
  signAlg: 'EdDSA',
  hasher: digest,
  hashAlg: 'sha-256',
  saltGenerator: () => b64u(randomBytes(16)),
  kbSigner: (data) => b64u(sign(null, Buffer.from(data), holder.privateKey)),
  kbSignAlg: 'EdDSA',
});

async function issueSdJwt() {
  const cred = ob3();
  const subject = {...cred.credentialSubject};
  const achievement = subject.achievement;
  delete subject.achievement;
  delete subject.id;
  const claims = {
    iss: issuer.did,
    vct: OB3_VCT,
    iat: nowS(),
    nbf: Math.floor(Date.parse(cred.validFrom) / 1000),
    jti: cred.id,
    name: cred.name,
    issuer: cred.issuer,
    validFrom: cred.validFrom,
    achievement,
    credentialSubject: subject,
    cnf: {jwk: holder.jwk},
  };
  const compact = await sdjwt.issue(claims, {_sd: ['credentialSubject']}, {header: {kid: issuer.kid}});
  const {cnf, iat, nbf, ...visible} = claims;
  return {compact, claims: visible};
}

// ldp_vc: Data Integrity (eddsa-rdfc-2022) with @digitalbazaar/vc, by did:key issuer and
// holder keys, with an offline JSON-LD loader (the bundled contexts, did:key URLs)
const CONTEXT_DIR = join(HERE, '..', '..', 'shared', 'jsonld', 'contexts');
const CONTEXT_FILES = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://www.w3.org/2018/credentials/v1': 'credentials-v1.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-context-3.0.3.validator-2026.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': 'ob-v3p0-extensions.json',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
};
const didKey = didKeyDriver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
async function documentLoader(url) {
  if (url.startsWith('did:key:')) return {contextUrl: null, documentUrl: url, document: await didKey.get({url})};
  const file = CONTEXT_FILES[url.split('#', 1)[0]];
  if (!file) throw new Error(`offline loader: ${url} is not a bundled context`);
  return {contextUrl: null, documentUrl: url, document: JSON.parse(readFileSync(join(CONTEXT_DIR, file), 'utf8'))};
}
async function didKeyPair() {
  const pair = await Ed25519Multikey.generate();
  const did = `did:key:${pair.publicKeyMultibase}`;
  pair.controller = did;
  pair.id = `${did}#${pair.publicKeyMultibase}`;
  return {pair, did};
}
const ldpIssuer = await didKeyPair();
const ldpHolder = await didKeyPair();
const suiteOf = (pair) => new DataIntegrityProof({signer: pair.signer(), cryptosuite: eddsaRdfc2022});

async function issueLdp() {
  const cred = ob3();
  cred.issuer = {...cred.issuer, id: ldpIssuer.did};
  cred.credentialSubject = {...cred.credentialSubject, id: ldpHolder.did};
  const signed = await vc.issue({credential: cred, suite: suiteOf(ldpIssuer.pair), documentLoader});
  return {credential: signed, claims: signed};
}

const held = {'dc+sd-jwt': await issueSdJwt(), jwt_vc_json: await issueVcJwt(), ldp_vc: await issueLdp()};

function dcqlCredential(format) {
  if (format === 'dc+sd-jwt') {
    return {credential_format: 'dc+sd-jwt', vct: OB3_VCT, claims: held[format].claims, cryptographic_holder_binding: true};
  }
  const {claims} = held[format];
  return {
    credential_format: format,
    type: claims.type.map((t) => EXPANDED_TYPES[t] ?? t),
    claims,
    cryptographic_holder_binding: true,
  };
}

// ------------------------------------------------------------------ did resolution (verifyJwt)
async function resolveDidKey(didUrl) {
  const [did] = didUrl.split('#');
  if (did.startsWith('did:jwk:')) return JSON.parse(Buffer.from(did.slice(8), 'base64url').toString('utf8'));
  if (!did.startsWith('did:web:')) throw new Error(`cannot resolve ${did}`);
  const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const url = path.length ? `http://${host}/${path.join('/')}/did.json` : `http://${host}/.well-known/did.json`;
  const doc = await (await fetch(url)).json();
  const fragment = didUrl.includes('#') ? didUrl.slice(didUrl.indexOf('#')) : null;
  const method = (doc.verificationMethod ?? []).find((vm) => vm.id === didUrl || (fragment && vm.id === fragment));
  if (!method) throw new Error(`${didUrl} is not in ${url}`);
  if (method.publicKeyJwk) return method.publicKeyJwk;
  const bytes = base58.decode(method.publicKeyMultibase.slice(1)); // z + base58btc(0xed01 || key)
  if (bytes[0] !== 0xed || bytes[1] !== 0x01) throw new Error('only Ed25519 Multikey keys here');
  return {kty: 'OKP', crv: 'Ed25519', x: b64u(bytes.slice(2))};
}

function verifyEd25519(compact, jwk) {
  const [h, p, s] = compact.split('.');
  return verify(null, Buffer.from(`${h}.${p}`), createPublicKey({key: jwk, format: 'jwk'}), Buffer.from(s, 'base64url'));
}

const client = new Openid4vpClient({
  callbacks: {
    fetch,
    hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
    verifyJwt: async (signer, {compact}) => {
      if (signer.method !== 'did') return {verified: false};
      const jwk = await resolveDidKey(signer.didUrl);
      return jwk.crv === 'Ed25519' && verifyEd25519(compact, jwk) ? {verified: true, signerJwk: jwk} : {verified: false};
    },
  },
});

// ------------------------------------------------------------------ request
async function resolve(link) {
  const parsed = client.parseOpenid4vpAuthorizationRequest({authorizationRequest: link});
  return client.resolveOpenId4vpAuthorizationRequest({authorizationRequestPayload: parsed.params});
}

// ------------------------------------------------------------------ presentation
function frameFromPaths(claims, paths) {
  const frame = {};
  const put = (target, value, path) => {
    const [head, ...rest] = path;
    const keys = head === null ? (Array.isArray(value) ? value.map((_, i) => i) : []) : [head];
    for (const key of keys) {
      if (value === undefined || value === null || !(key in Object(value))) continue;
      if (rest.length === 0) target[key] = true;
      else {
        if (typeof target[key] !== 'object') target[key] = {};
        put(target[key], value[key], rest);
      }
    }
  };
  for (const path of paths) put(frame, claims, path);
  return frame;
}

async function presentation(format, request, audience, disclose, query) {
  const aud = audience ?? request.client_id;
  if (format === 'dc+sd-jwt') {
    const paths = disclose ?? (query.claims ?? []).map((c) => c.path);
    const frame = frameFromPaths(held[format].claims, paths);
    const vp = await sdjwt.present(held[format].compact, frame, {kb: {payload: {iat: nowS(), aud, nonce: request.nonce}}});
    return {vp, disclosed: frame};
  }
  if (format === 'ldp_vc') {
    const presentation = vc.createPresentation({verifiableCredential: [held[format].credential], holder: ldpHolder.did});
    const vp = await vc.signPresentation({
      presentation, suite: suiteOf(ldpHolder.pair), challenge: request.nonce, domain: aud, documentLoader,
    });
    return {vp, disclosed: 'all'};
  }
  const key = await importJWK({...holder.privateJwk, alg: 'EdDSA'}, 'EdDSA');
  const vp = await new SignJWT({
    vp: {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiablePresentation'],
      holder: holder.did,
      verifiableCredential: [held[format].jwt],
    },
    nonce: request.nonce,
    jti: `urn:uuid:${randomUUID()}`,
  })
    .setProtectedHeader({alg: 'EdDSA', typ: 'JWT', kid: holder.kid})
    .setIssuer(holder.did)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
  return {vp, disclosed: 'all'};
}

async function handle(command) {
  const resolved = await resolve(command.link);
  const request = resolved.authorizationRequestPayload;
  const query = DcqlQuery.parse(resolved.dcql.query);
  DcqlQuery.validate(query);
  const result = DcqlQuery.query(query, [dcqlCredential(command.format)]);
  const credentialQuery = query.credentials.find(
    (q) => q.format === command.format && result.credential_matches[q.id]?.success,
  );
  if (!credentialQuery) return {ok: false, error: `no credential query matches ${command.format}`, dcql: result};
  const {vp, disclosed} = await presentation(command.format, request, command.audience, command.disclose, credentialQuery);
  const {authorizationResponsePayload} = await client.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: {vp_token: {[credentialQuery.id]: [vp]}},
  });
  const responses = [];
  for (let n = 0; n < (command.submissions ?? 1); n++) {
    const {response} = await client.submitOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: request,
      authorizationResponsePayload,
    });
    const text = await response.text();
    let body;
    try { body = JSON.parse(text); } catch { body = text; }
    responses.push({status: response.status, body});
  }
  return {
    ok: true,
    client: {prefix: resolved.client.prefix, effective: resolved.client.effective, signed: Boolean(resolved.jar)},
    version: resolved.version,
    query_id: credentialQuery.id,
    can_be_satisfied: result.can_be_satisfied,
    disclosed,
    responses,
  };
}

process.stdout.write(`${JSON.stringify({issuer_did: issuer.did, holder_did: holder.did, ldp_issuer_did: ldpIssuer.did})}\n`);
const lines = createInterface({input: process.stdin});
for await (const line of lines) {
  if (!line.trim()) continue;
  let out;
  try {
    out = await handle(JSON.parse(line));
  } catch (err) {
    out = {ok: false, error: String(err?.stack ?? err), details: err?.errorResponse};
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
process.exit(0);
