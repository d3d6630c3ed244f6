/*
 * The OFFLINE JSON-LD document loader shared by the Digital Bazaar scripts in tests/interop
 * (verify_di.mjs, the oracle; wallet_reference_issuer.mjs, which signs ldp_vc with it).
 *
 * JSON-LD contexts come only from shared/jsonld/contexts/ (sha256-checked, same table as
 * shared/jsonld/loader.py) and did:key URLs resolve through @digitalbazaar/did-method-key
 * (Ed25519 Multikey); did:web URLs resolve only from documents handed in. Any other URL is an
 * error; nothing is ever fetched from the network.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXT_DIR = join(HERE, '..', '..', 'shared', 'jsonld', 'contexts');

// Canonical URL -> [file, sha256]; mirrors shared/jsonld/loader.py BUNDLED_CONTEXTS and the
// table in shared/jsonld/contexts/README.md.
export const CONTEXTS = {
  'https://www.w3.org/ns/credentials/v2': ['credentials-v2.jsonld',
    '59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734'],
  'https://www.w3.org/2018/credentials/v1': ['credentials-v1.jsonld',
    'ab4ddd9a531758807a79a5b450510d61ae8d147eab966cc9a200c07095b0cdcc'],
  'https://www.w3.org/ns/credentials/examples/v2': ['credentials-examples-v2.jsonld',
    '57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c'],
  'https://www.w3.org/2018/credentials/examples/v1': ['credentials-examples-v1.jsonld',
    '2070ae4e75bc3b4c2cfe2b8b6e86ec45119672bbb5da283f0399ea96c60a0104'],
  'https://www.w3.org/ns/credentials/undefined-terms/v2': [
    'credentials-undefined-terms-v2.jsonld',
    '82dab514ba44eb18f5d1b0f638c5e140c6a556fbfb5089601bdc0fa5eb8b2581'],
  'https://w3id.org/security/v1': ['security-v1.jsonld',
    'abaf97e107d1925503c433dcaf3ffd2831697cacc1ed2a293e1bc8030d5bcb47'],
  'https://w3id.org/security/v2': ['security-v2.jsonld',
    '2cd63364c0963dd5c206ee179207dc895ed26415f2f38a71298c1d279e0799ea'],
  'https://w3id.org/security/data-integrity/v1': ['data-integrity-v1.jsonld',
    'b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554'],
  'https://w3id.org/security/data-integrity/v2': ['data-integrity-v2.jsonld',
    '67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4'],
  'https://w3id.org/security/multikey/v1': ['multikey-v1.jsonld',
    'ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597'],
  'https://w3id.org/security/jwk/v1': ['jwk-v1.jsonld',
    '0f14b62f6071aafe00df265770ea0c7508e118247d79b7d861a406d2aa00bece'],
  'https://www.w3.org/ns/credentials/status/v1': ['bitstring-status-list-v1.jsonld',
    'fda5add353231e6a6884a46b12e6c75464281900cb348284d9c360f62381d9f7'],
  'https://www.w3.org/ns/did/v1': ['did-v1.jsonld',
    '62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f'],
  'https://w3id.org/security/suites/ed25519-2020/v1': ['ed25519-signature-2020-v1.jsonld',
    'b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588'],
  'https://purl.imsglobal.org/spec/ob/v3p0/context.json': ['ob-v3p0-context.json',
    'b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10'],
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json': ['ob-v3p0-context-3.0.1.json',
    'd582f3564282fb3b709136d28412e78e70b678b4dbc2f0221f67d84932748355'],
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json': ['ob-v3p0-context-3.0.2.json',
    '00666ad080ba407687ed1846b7f5e7495f5019042b202a727de47c48a1755c53'],
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': ['ob-v3p0-extensions.json',
    '146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3'],
  'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json': [
    'clr-v2p0-context-2.0.1.json',
    '880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6'],
};
export const OB303_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const OB303_FILES = {
  'validator-2026': ['ob-v3p0-context-3.0.3.validator-2026.json',
    '3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84'],
  'spec-repo': ['ob-v3p0-context-3.0.3.json',
    'ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761'],
};

const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

// did:web documents given on the command line: the DID itself, or one verification method
function fromDidDocs(didDocs, url) {
  const [did, fragment] = url.split('#', 2);
  const doc = didDocs[did];
  if(!doc) {
    return undefined;
  }
  if(fragment === undefined) {
    return structuredClone(doc);
  }
  const vm = (doc.verificationMethod || []).find(m => m.id === url || m.id === `#${fragment}`);
  return vm ? {'@context': MULTIKEY_CONTEXT, ...structuredClone(vm)} : undefined;
}

export function makeDocumentLoader(ob303Variant = 'validator-2026', didDocs = {}) {
  const cache = new Map();
  const contexts = {...CONTEXTS, [OB303_URL]: OB303_FILES[ob303Variant]};
  const didKey = didKeyDriver();
  didKey.use({
    multibaseMultikeyHeader: 'z6Mk',
    fromMultibase: Ed25519Multikey.from
  });

  function readContext(url) {
    // a fragment is never dereferenced: ".../v2#" names the same document as ".../v2"
    const key = url.split('#', 1)[0];
    const entry = contexts[key];
    if(!entry) {
      return undefined;
    }
    if(!cache.has(key)) {
      const [file, sha256] = entry;
      const bytes = readFileSync(join(CONTEXT_DIR, file));
      const digest = createHash('sha256').update(bytes).digest('hex');
      if(digest !== sha256) {
        throw new Error(`bundled context ${file} has sha256 ${digest}, expected ${sha256}`);
      }
      cache.set(key, JSON.parse(bytes.toString('utf8')));
    }
    // jsonld.js may hold on to the object; hand out a copy
    return structuredClone(cache.get(key));
  }

  return async function documentLoader(url) {
    if(typeof url === 'string' && url.startsWith('did:key:')) {
      const document = await didKey.get({url});
      return {contextUrl: null, documentUrl: url, document};
    }
    if(typeof url === 'string' && url.startsWith('did:web:')) {
      const document = fromDidDocs(didDocs, url);
      if(document !== undefined) {
        return {contextUrl: null, documentUrl: url, document};
      }
    }
    const document = typeof url === 'string' ? readContext(url) : undefined;
    if(document === undefined) {
      throw new Error(`offline document loader: ${JSON.stringify(url)} is not allowed ` +
        '(only bundled JSON-LD contexts and did:key URLs resolve)');
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}
