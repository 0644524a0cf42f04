// Loads the built package as an app would (plain Node ESM, no bundler) and runs one search on
// each CPU backend, so a broken library build fails the tests.
import { createVectorIndex, MemoryError } from '../dist/index.js';

const dim = 8;
for (const backend of ['wasm', 'ts']) {
  const index = await createVectorIndex({ dim, gpu: 'cpu', backend, storage: 'f16' });
  index.upsert([
    { id: 'a', vector: [1, 0, 0, 0, 0, 0, 0, 0] },
    { id: 'b', vector: [0, 1, 0, 0, 0, 0, 0, 0] },
  ]);
  const [hit] = await index.search([0.9, 0.1, 0, 0, 0, 0, 0, 0], { k: 1 });
  if (hit?.id !== 'a') throw new Error(`dist ${backend}: expected a, got ${JSON.stringify(hit)}`);
  index.destroy();
}
const error = await createVectorIndex({ dim: 0 }).catch((e) => e);
if (!(error instanceof MemoryError) || error.code !== 'BAD_INPUT')
  throw new Error('dist: no MemoryError');
console.log('dist smoke: ok');
