#!/usr/bin/env node
/*
 * Reference wallet for the issuer interop test: @openid4vc/openid4vci 0.4.x receives one
 * credential from a credential offer over real HTTP.
 *
 * Usage: node issuer_wallet.mjs OFFER_URI CONFIGURATION_ID [TX_CODE]
 * Output (stdout): {"credential": ..., "format": ..., "holderJwk": {...},
 *                   "credentialIssuer": ..., "authorizationServer": ...}
 * Exit status 1 with {"error": ...} on failure.
 *
 * allowInsecureUrls is set because the issuer under test runs on http://127.0.0.1 (see
 * docs/pitfalls.md); the proof key is a fresh Ed25519 key sent as a `jwk` header.
 */
import {createHash, generateKeyPairSync, randomBytes, sign} from 'node:crypto';
import {clientAuthenticationAnonymous} from '@openid4vc/oauth2';
import {Openid4vciClient, setGlobalConfig} from '@openid4vc/openid4vci';

setGlobalConfig({allowInsecureUrls: true});

const [offerUri, configurationId, txCode] = process.argv.slice(2);
if (!offerUri || !configurationId) {
  console.error('usage: node issuer_wallet.mjs OFFER_URI CONFIGURATION_ID [TX_CODE]');
  process.exit(2);
}

const {publicKey, privateKey} = generateKeyPairSync('ed25519');
const publicJwk = publicKey.export({format: 'jwk'});
const b64u = (value) => Buffer.from(value).toString('base64url');

const callbacks = {
  fetch,
  hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  generateRandom: (length) => randomBytes(length),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, {header, payload}) => {
    if (signer.method !== 'jwk') throw new Error(`unsupported signer ${signer.method}`);
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
    const signature = sign(null, Buffer.from(input), privateKey);
    return {jwt: `${input}.${b64u(signature)}`, signerJwk: publicJwk};
  },
};

try {
  const client = new Openid4vciClient({callbacks});
  const offer = await client.resolveCredentialOffer(offerUri);
  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  const {accessTokenResponse, authorizationServer} =
    await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer: offer,
      issuerMetadata,
      txCode,
    });
  const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
  const {jwt} = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: configurationId,
    nonce,
    signer: {method: 'jwk', publicJwk, alg: 'EdDSA'},
  });
  const response = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: configurationId,
    proofs: {jwt: [jwt]},
  });
  const body = response.credentialResponse;
  console.log(JSON.stringify({
    credential: body.credentials[0].credential,
    format: issuerMetadata.credentialIssuer.credential_configurations_supported[configurationId].format,
    holderJwk: publicJwk,
    credentialIssuer: offer.credential_issuer,
    authorizationServer,
    originalDraftVersion: issuerMetadata.originalDraftVersion ?? null,
  }));
} catch (error) {
  const detail = error?.errorResponse ?? error?.response?.body ?? null;
  console.log(JSON.stringify({error: String(error?.message ?? error), detail}));
  process.exit(1);
}
