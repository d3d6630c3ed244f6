#!/usr/bin/env node
/*
 * A REFERENCE OpenID4VCI 1.0 issuer for the wallet interop test: the issuer side of
 * @openid4vc/openid4vci 0.4.x (Openid4vciIssuer) with the authorization server side of
 * @openid4vc/oauth2 0.4.x (Oauth2AuthorizationServer), over real HTTP on 127.0.0.1.
 *
 * The libraries build the metadata, the offers, the token and nonce responses, parse the
 * token and credential requests, verify the pre-authorized code, tx_code and the key proof
 * JWT, and build the credential response. The credentials themselves are Open Badges 3.0:
 * jwt_vc_json signed with `jose`, dc+sd-jwt issued with @sd-jwt/sd-jwt-vc 0.19, both by a
 * fresh Ed25519 did:jwk issuer key; ldp_vc, an AchievementCredential signed with Digital
 * Bazaar's @digitalbazaar/vc + data-integrity + eddsa-rdfc-2022 by a fresh Ed25519 did:key
 * issuer, through the OFFLINE document loader of offline_loader.mjs (no status entry).
 *
 * Usage: node wallet_reference_issuer.mjs [--dpop] [--jwt-vc-issuer]
 *   --dpop: the authorization server REQUIRES DPoP (RFC 9449): it advertises
 *     dpop_signing_alg_values_supported, refuses token requests without a DPoP proof
 *     (verifyPreAuthorizedCodeAccessTokenRequest with dpop.required), demands server nonces
 *     (use_dpop_nonce on the token endpoint, a 401 DPoP challenge on the credential endpoint),
 *     issues DPoP-bound tokens and checks ath and the key thumbprint with verifyDpopJwt.
 *   --jwt-vc-issuer: the SD-JWT VC's iss is the issuer's URL and its key is published at
 *     /.well-known/jwt-vc-issuer (SD-JWT VC §4), not in a DID.
 * Prints ONE JSON line on stdout once listening:
 *   {"credential_issuer", "issuer_did", "ldp_issuer_did", "offers": {"<config>": {"plain":
 *    uri, "tx": uri, "tx_code": "1234"}}}
 * then serves until stdin closes (the test's subprocess handle) or SIGTERM.
 *
 * allowInsecureUrls: the issuer runs on http://127.0.0.1 (see docs/pitfalls.md).
 */
import {createHash, generateKeyPairSync, randomBytes, randomUUID, sign, verify, createPublicKey} from 'node:crypto';
import {createServer} from 'node:http';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {Oauth2AuthorizationServer, preAuthorizedCodeGrantIdentifier, setGlobalConfig} from '@openid4vc/oauth2';
import {Openid4vciIssuer, Openid4vciVersion} from '@openid4vc/openid4vci';
import {SDJwtVcInstance} from '@sd-jwt/sd-jwt-vc';
import {digest} from '@sd-jwt/crypto-nodejs';
import {SignJWT, importJWK} from 'jose';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {makeDocumentLoader} from './offline_loader.mjs';

setGlobalConfig({allowInsecureUrls: true});
const DPOP = process.argv.includes('--dpop');
const JWT_VC_ISSUER = process.argv.includes('--jwt-vc-issuer');
const ISSUER_KEY_ID = 'reference-key-1';

const HERE = dirname(fileURLToPath(import.meta.url));
const TEMPLATE = JSON.parse(readFileSync(join(HERE, '..', 'data', 'peers', 'ob3-credential.unsigned.json'), 'utf8'));
const OB3_VCT = 'https://purl.imsglobal.org/spec/ob/v3p0#OpenBadgeCredential';
const b64u = (value) => Buffer.from(value).toString('base64url');
const sorted = (jwk) => Object.fromEntries(Object.keys(jwk).sort().map((k) => [k, jwk[k]]));

// ------------------------------------------------------------------ issuer key (did:jwk)
const {publicKey, privateKey} = generateKeyPairSync('ed25519');
const issuerJwk = sorted(publicKey.export({format: 'jwk'}));
const issuerPrivateJwk = privateKey.export({format: 'jwk'});
const issuerDid = `did:jwk:${b64u(JSON.stringify(issuerJwk))}`;
const issuerKid = `${issuerDid}#0`;

// ------------------------------------------------------------------ ldp_vc issuer key (did:key)
const documentLoader = makeDocumentLoader();
const ldpKey = await Ed25519Multikey.generate();
const ldpIssuerDid = `did:key:${ldpKey.publicKeyMultibase}`;
ldpKey.controller = ldpIssuerDid;
ldpKey.id = `${ldpIssuerDid}#${ldpKey.publicKeyMultibase}`;

function jwkOfDidUrl(didUrl) {
  const did = didUrl.split('#')[0];
  if (!did.startsWith('did:jwk:')) throw new Error(`only did:jwk holders here, not ${did}`);
  return JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString('utf8'));
}

function verifyEd25519(compact, jwk) {
  const [h, p, s] = compact.split('.');
  const key = createPublicKey({key: jwk, format: 'jwk'});
  return verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
}

function verifyEs256(compact, jwk) {
  const [h, p, s] = compact.split('.');
  const key = createPublicKey({key: jwk, format: 'jwk'});
  return verify('sha256', Buffer.from(`${h}.${p}`), {key, dsaEncoding: 'ieee-p1363'}, Buffer.from(s, 'base64url'));
}

const callbacks = {
  fetch,
  hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  generateRandom: (length) => randomBytes(length),
  signJwt: async (signer, {header, payload}) => {
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
    return {jwt: `${input}.${b64u(sign(null, Buffer.from(input), privateKey))}`, signerJwk: issuerJwk};
  },
  verifyJwt: async (signer, {compact}) => {
    const jwk = signer.method === 'jwk' ? signer.publicJwk
      : signer.method === 'did' ? jwkOfDidUrl(signer.didUrl) : null;
    if (!jwk || !['Ed25519', 'P-256'].includes(jwk.crv)) return {verified: false};
    const ok = jwk.crv === 'Ed25519' ? verifyEd25519(compact, jwk) : verifyEs256(compact, jwk);
    return ok ? {verified: true, signerJwk: jwk} : {verified: false};
  },
};
const issuer = new Openid4vciIssuer({callbacks});
const authorizationServer = new Oauth2AuthorizationServer({callbacks});

// ------------------------------------------------------------------ metadata
let base = '';
let issuerMetadata;
const display = [{name: 'Reference Issuer', locale: 'en'}, {name: 'Émetteur de référence', locale: 'fr'}];
const binding = {
  cryptographic_binding_methods_supported: ['did:jwk'],
  proof_types_supported: {jwt: {proof_signing_alg_values_supported: ['EdDSA']}},
};
function buildMetadata() {
  const credentialIssuer = issuer.createCredentialIssuerMetadata({
    credential_issuer: base,
    credential_endpoint: `${base}/credential`,
    nonce_endpoint: `${base}/nonce`,
    display,
    credential_configurations_supported: {
      badge_jwt: {
        format: 'jwt_vc_json',
        credential_definition: {type: ['VerifiableCredential', 'OpenBadgeCredential']},
        credential_signing_alg_values_supported: ['EdDSA'],
        ...binding,
        credential_metadata: {display: [{name: 'Interop badge (VC-JWT)', locale: 'en'}]},
      },
      badge_sd_jwt: {
        format: 'dc+sd-jwt',
        vct: OB3_VCT,
        credential_signing_alg_values_supported: ['EdDSA'],
        ...binding,
        credential_metadata: {display: [{name: 'Interop badge (SD-JWT VC)', locale: 'en'}]},
      },
      badge_ldp: {
        format: 'ldp_vc',
        credential_definition: {
          '@context': TEMPLATE['@context'],
          type: ['VerifiableCredential', 'AchievementCredential'],
        },
        credential_signing_alg_values_supported: ['eddsa-rdfc-2022'],
        ...binding,
        credential_metadata: {display: [{name: 'Interop badge (Data Integrity)', locale: 'en'}]},
      },
    },
  });
  const as = authorizationServer.createAuthorizationServerMetadata({
    issuer: base,
    token_endpoint: `${base}/token`,
    'pre-authorized_grant_anonymous_access_supported': true,
    ...(DPOP ? {dpop_signing_alg_values_supported: ['ES256', 'EdDSA']} : {}),
  });
  issuerMetadata = {
    originalDraftVersion: Openid4vciVersion.V1,
    credentialIssuer,
    authorizationServers: [as],
    knownCredentialConfigurations: credentialIssuer.credential_configurations_supported,
  };
}

// ------------------------------------------------------------------ state
const offers = new Map(); // offer id -> {object, code, txCode, config, used}
const tokens = new Map(); // access token -> offer
const nonces = new Set();
const dpopNonces = new Set(); // DPoP-Nonce values handed out (RFC 9449 §8-9)
const tokenKeys = new Map(); // access token -> DPoP key thumbprint

function dpopNonceOf(jwt) {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')).nonce;
  } catch {
    return undefined;
  }
}

function askDpopNonce(res, status) {
  const nonce = b64u(randomBytes(12));
  dpopNonces.add(nonce);
  const headers = {'DPoP-Nonce': nonce};
  if (status === 401) headers['WWW-Authenticate'] = 'DPoP error="use_dpop_nonce"';
  return send(res, status, {error: 'use_dpop_nonce'}, headers);
}

async function makeOffer(config, withTxCode) {
  const id = randomUUID();
  const code = b64u(randomBytes(24));
  const txCode = withTxCode ? String(1000 + (randomBytes(2).readUInt16BE() % 9000)) : undefined;
  const {credentialOffer, credentialOfferObject} = await issuer.createCredentialOffer({
    issuerMetadata,
    credentialConfigurationIds: [config],
    grants: {
      [preAuthorizedCodeGrantIdentifier]: {
        'pre-authorized_code': code,
        ...(txCode ? {tx_code: {input_mode: 'numeric', length: 4}} : {}),
      },
    },
    credentialOfferUri: `${base}/offers/${id}`,
  });
  offers.set(id, {object: credentialOfferObject, code, txCode, config, used: false});
  return {uri: credentialOffer, txCode};
}

// ------------------------------------------------------------------ credentials
function ob3(holderDid) {
  const cred = structuredClone(TEMPLATE);
  cred.id = `urn:uuid:${randomUUID()}`;
  cred.issuer = {...cred.issuer, id: issuerDid, name: 'Reference Issuer'};
  cred.validFrom = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  cred.credentialSubject = {...cred.credentialSubject, id: holderDid};
  return cred;
}

async function signJwtVc(holderDid) {
  const cred = ob3(holderDid);
  const key = await importJWK({...issuerPrivateJwk, alg: 'EdDSA'}, 'EdDSA');
  return new SignJWT({vc: cred, jti: cred.id, sub: holderDid})
    .setProtectedHeader({alg: 'EdDSA', typ: 'JWT', kid: issuerKid})
    .setIssuer(issuerDid)
    .setIssuedAt()
    .setNotBefore(Math.floor(Date.parse(cred.validFrom) / 1000))
    .sign(key);
}

async function signLdpVc(holderDid) {
  const credential = ob3(holderDid);
  credential.type = ['VerifiableCredential', 'AchievementCredential'];
  credential.issuer.id = ldpIssuerDid;
  // fresh suite per credential: DataIntegrityProof keeps per-instance state
  const suite = new DataIntegrityProof({signer: ldpKey.signer(), cryptosuite: eddsaRdfc2022});
  return vc.issue({credential, suite, documentLoader});
}

async function issueSdJwt(holderDid) {
  const cred = ob3(holderDid);
  const subject = {...cred.credentialSubject};
  const achievement = subject.achievement;
  delete subject.achievement;
  delete subject.id;
  const sdjwt = new SDJwtVcInstance({
    signer: (data) => b64u(sign(null, Buffer.from(data), privateKey)),
    signAlg: 'EdDSA',
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: () => b64u(randomBytes(16)),
  });
  return sdjwt.issue(
    {
      iss: JWT_VC_ISSUER ? base : issuerDid,
      vct: OB3_VCT,
      iat: Math.floor(Date.now() / 1000),
      nbf: Math.floor(Date.parse(cred.validFrom) / 1000),
      jti: cred.id,
      name: cred.name,
      issuer: cred.issuer,
      validFrom: cred.validFrom,
      achievement,
      credentialSubject: subject,
      cnf: {jwk: jwkOfDidUrl(holderDid)},
    },
    {_sd: ['credentialSubject']},
    {header: {kid: JWT_VC_ISSUER ? ISSUER_KEY_ID : issuerKid}},
  );
}

// ------------------------------------------------------------------ HTTP
function send(res, status, body, headers = {}) {
  res.writeHead(status, {'content-type': 'application/json', 'cache-control': 'no-store', ...headers});
  res.end(JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function oauthError(res, err, fallback) {
  const body = err?.errorResponse ?? {error: fallback, error_description: String(err?.message ?? err)};
  send(res, 400, body);
}

async function handle(req, res) {
  const url = new URL(req.url, base);
  const requestLike = {method: req.method, url: url.toString(), headers: new Headers(req.headers)};
  if (req.method === 'GET' && url.pathname === '/.well-known/openid-credential-issuer') {
    return send(res, 200, issuerMetadata.credentialIssuer);
  }
  if (req.method === 'GET' && JWT_VC_ISSUER && url.pathname === '/.well-known/jwt-vc-issuer') {
    const key = {...issuerJwk, kid: ISSUER_KEY_ID, alg: 'EdDSA', use: 'sig'};
    return send(res, 200, {issuer: base, jwks: {keys: [key]}});
  }
  if (req.method === 'GET' && url.pathname === '/.well-known/oauth-authorization-server') {
    return send(res, 200, issuerMetadata.authorizationServers[0]);
  }
  if (req.method === 'GET' && url.pathname.startsWith('/offers/')) {
    const offer = offers.get(url.pathname.slice('/offers/'.length));
    return offer ? send(res, 200, offer.object) : send(res, 404, {error: 'not_found'});
  }
  if (req.method === 'POST' && url.pathname === '/token') {
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    try {
      const parsed = authorizationServer.parseAccessTokenRequest({request: requestLike, accessTokenRequest: form});
      const offer = [...offers.values()].find((o) => o.code === parsed.grant.preAuthorizedCode);
      if (!offer || offer.used) return send(res, 400, {error: 'invalid_grant', error_description: 'unknown or used code'});
      if (DPOP && parsed.dpop?.jwt && !dpopNonces.has(dpopNonceOf(parsed.dpop.jwt))) return askDpopNonce(res, 400);
      const verified = await authorizationServer.verifyPreAuthorizedCodeAccessTokenRequest({
        authorizationServerMetadata: issuerMetadata.authorizationServers[0],
        grant: parsed.grant,
        accessTokenRequest: parsed.accessTokenRequest,
        request: requestLike,
        expectedPreAuthorizedCode: offer.code,
        expectedTxCode: offer.txCode,
        ...(DPOP ? {dpop: {required: true, jwt: parsed.dpop?.jwt, allowedSigningAlgs: ['ES256', 'EdDSA']}} : {}),
      });
      offer.used = true;
      const response = await authorizationServer.createAccessTokenResponse({
        authorizationServer: base,
        audience: base,
        subject: randomUUID(),
        expiresInSeconds: 300,
        signer: {method: 'jwk', publicJwk: issuerJwk, alg: 'EdDSA'},
        ...(DPOP ? {dpop: {jwk: verified.dpop.jwk}} : {}),
      });
      tokens.set(response.access_token, offer);
      if (DPOP) tokenKeys.set(response.access_token, verified.dpop.jwkThumbprint);
      return send(res, 200, response);
    } catch (err) {
      return oauthError(res, err, 'invalid_grant');
    }
  }
  if (req.method === 'POST' && url.pathname === '/nonce') {
    const nonce = b64u(randomBytes(16));
    nonces.add(nonce);
    return send(res, 200, issuer.createNonceResponse({cNonce: nonce}));
  }
  if (req.method === 'POST' && url.pathname === '/credential') {
    const auth = req.headers.authorization ?? '';
    const offer = tokens.get(auth.replace(/^(Bearer|DPoP) /i, ''));
    if (!offer) return send(res, 401, {error: 'invalid_token'});
    if (DPOP) {
      const accessToken = auth.replace(/^DPoP /, '');
      const dpopJwt = req.headers.dpop;
      if (!auth.startsWith('DPoP ') || !dpopJwt) return send(res, 401, {error: 'invalid_token', error_description: 'a DPoP-bound token needs the DPoP scheme and a proof'});
      if (!dpopNonces.has(dpopNonceOf(dpopJwt))) return askDpopNonce(res, 401);
      try {
        await authorizationServer.verifyDpopJwt({
          dpopJwt, request: requestLike, accessToken, expectedNonce: dpopNonceOf(dpopJwt),
          expectedJwkThumbprint: tokenKeys.get(accessToken), allowedSigningAlgs: ['ES256', 'EdDSA'],
        });
      } catch (err) {
        return send(res, 401, err?.errorResponse ?? {error: 'invalid_dpop_proof', error_description: String(err?.message ?? err)});
      }
    }
    try {
      const request = issuer.parseCredentialRequest({
        issuerMetadata,
        credentialRequest: JSON.parse(await readBody(req)),
      });
      if (request.credentialConfigurationId !== offer.config) {
        return send(res, 400, {error: 'invalid_credential_request', error_description: 'not offered'});
      }
      const jwt = request.proofs?.jwt?.[0];
      const decoded = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
      if (!nonces.delete(decoded.nonce)) return send(res, 400, {error: 'invalid_nonce'});
      const {signer} = await issuer.verifyCredentialRequestJwtProof({
        issuerMetadata,
        jwt,
        expectedNonce: decoded.nonce,
        nonceExpiresAt: new Date(Date.now() + 60_000),
      });
      if (signer.method !== 'did') return send(res, 400, {error: 'invalid_proof', error_description: 'use a did:jwk kid'});
      const holderDid = signer.didUrl.split('#')[0];
      const issue = {badge_jwt: signJwtVc, badge_sd_jwt: issueSdJwt, badge_ldp: signLdpVc}[offer.config];
      const credential = await issue(holderDid);
      tokens.delete(auth.replace(/^(Bearer|DPoP) /i, ''));
      return send(res, 200, issuer.createCredentialResponse({credentialRequest: request, credentials: [{credential}]}));
    } catch (err) {
      return oauthError(res, err, 'invalid_proof');
    }
  }
  return send(res, 404, {error: 'not_found'});
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => send(res, 500, {error: 'server_error', error_description: String(err?.stack ?? err)}));
});
server.listen(0, '127.0.0.1', async () => {
  base = `http://127.0.0.1:${server.address().port}`;
  buildMetadata();
  const out = {credential_issuer: base, issuer_did: issuerDid, ldp_issuer_did: ldpIssuerDid, offers: {}};
  for (const config of ['badge_jwt', 'badge_sd_jwt', 'badge_ldp']) {
    const plain = await makeOffer(config, false);
    const tx = await makeOffer(config, true);
    out.offers[config] = {plain: plain.uri, tx: tx.uri, tx_code: tx.txCode};
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
