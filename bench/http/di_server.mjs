#!/usr/bin/env node
/*
 * Bench anchor: a minimal HTTP server around Digital Bazaar's @digitalbazaar/vc verifying a
 * Data Integrity credential (eddsa-rdfc-2022 or eddsa-jcs-2022) per POST.
 *
 *   node di_server.mjs PORT WORKERS
 *
 * Node's cluster module runs WORKERS processes sharing PORT. Contexts and did:key come from
 * the offline loader the interop tests use (tests/interop/offline_loader.mjs): no network.
 * The answer is {"verified": bool}.
 */
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite as createJcsVerifyCryptosuite} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

import {makeDocumentLoader} from '../../tests/interop/offline_loader.mjs';
import {serve} from './serve.mjs';

const [port, workers] = process.argv.slice(2);

await serve(port, workers, async () => {
  const documentLoader = makeDocumentLoader();
  const suite = [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    new DataIntegrityProof({cryptosuite: createJcsVerifyCryptosuite()}),
  ];
  return async body => {
    const result = await vc.verifyCredential({credential: JSON.parse(body), suite, documentLoader});
    return result.verified === true;
  };
});
