import { expect, it } from 'vitest';
import * as api from '../src/index.js';

// The public surface: a change here is a change to the API and must show in review.
it('exports exactly the public API', () => {
  expect(Object.keys(api).sort()).toEqual([
    'IndexedDbStore',
    'KvChat',
    'KvPruner',
    'MAX_K',
    'MemoryError',
    'VectorIndex',
    'acquireGpu',
    'createMemory',
    'createVectorIndex',
    'hashingEmbedder',
    'keyFromPassphrase',
    'pruneCache',
    'pruneReference',
    'randomSalt',
    'ropeFromConfig',
    'transformersEmbedder',
  ]);
});
