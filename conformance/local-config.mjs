// Prints the localConfig.cjs (vc-test-suite-implementations' local implementation entry)
// for one W3C suite. usage: node local-config.mjs SUITE
// Environment: ISSUER_DID, API_KEY, ISSUER_URL, VERIFIER_URL, VC_API_OPTIONS (1 or 0).
const suite = process.argv[2];
const env = name => {
  const value = process.env[name];
  if(!value) {
    console.error(`local-config.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
};
const issuerUrl = env('ISSUER_URL');
const verifierUrl = env('VERIFIER_URL');
const auth = {Authorization: `Bearer ${env('API_KEY')}`};
const id = env('ISSUER_DID');
// the VC-API options of docs/decisions/vc-api-options.md (options.cryptosuite, options.format):
// eddsa-jcs-2022 and vc+jwt issuer entries, enveloped credentials at the verifier
const vcApiOptions = process.env.VC_API_OPTIONS === '1';
const issuer = (tags, options = {}) => ({
  id, endpoint: `${issuerUrl}/credentials/issue`, headers: auth, options, tags
});
const verifier = tags => ({
  id: `${verifierUrl}/credentials/verify`, endpoint: `${verifierUrl}/credentials/verify`, tags
});
const vpVerifier = tags => ({
  id: `${verifierUrl}/presentations/verify`,
  endpoint: `${verifierUrl}/presentations/verify`,
  tags
});

let entry;
if(suite === 'vc-data-model-2.0-test-suite') {
  entry = {
    issuers: [issuer(['vc2.0'])],
    verifiers: [verifier(['vc2.0'])],
    vpVerifiers: [vpVerifier(['vc2.0'])]
  };
  if(vcApiOptions) {
    // enveloped credentials (VC DM 2.0 §4.13.1): issued as vc+jwt, verified in envelopes
    entry.issuers.push(issuer(['EnvelopingProof'], {format: 'application/vc+jwt'}));
    entry.verifiers[0].tags.push('EnvelopingProof');
    entry.vpVerifiers[0].tags.push('EnvelopingProof');
  }
} else if(suite === 'vc-di-eddsa-test-suite') {
  const issuers = [{...issuer(['eddsa-rdfc-2022']), supports: {vc: ['1.1', '2.0']}}];
  if(vcApiOptions) {
    issuers.push({
      ...issuer(['eddsa-jcs-2022'], {type: 'DataIntegrityProof', cryptosuite: 'eddsa-jcs-2022'}),
      supports: {vc: ['1.1', '2.0']}
    });
  }
  entry = {issuers, verifiers: [verifier(['eddsa-rdfc-2022', 'eddsa-jcs-2022'])]};
} else if(suite === 'vc-bitstring-status-list-test-suite') {
  const status = {credentialStatus: {type: 'BitstringStatusListEntry'}};
  entry = {
    issuers: [issuer(['BitstringStatusList', 'Revocation'], status)],
    verifiers: [verifier(['BitstringStatusList', 'Revocation'])],
    vpVerifiers: [vpVerifier(['BitstringStatusList', 'Revocation'])]
  };
} else if(suite === 'vc-jose-cose-test-suite') {
  // the suite runs an image per implementation (conformance/jose-cose/); Musette secures
  // with JOSE only: no COSE, and its SD-JWT is SD-JWT VC, not VC-JOSE-COSE's vc+sd-jwt
  entry = {
    'jose-cose': {
      features: {
        credential_jose: true,
        presentation_jose: true,
        credential_sdjwt: false,
        presentation_sdjwt: false,
        credential_cose: false,
        presentation_cose: false
      }
    }
  };
} else {
  console.error(`local-config.mjs: unknown suite ${suite}`);
  process.exit(2);
}
const config = {
  settings: {enableInteropTests: false, testAllImplementations: false},
  implementations: [{name: 'Musette', implementation: 'Musette VC-API', ...entry}]
};
process.stdout.write(`// written by Musette's conformance/run.sh\nmodule.exports = ${
  JSON.stringify(config, null, 2)};\n`);
