// Loads the built package as an app would (plain Node ESM, no bundler) and runs one search on
// each CPU backend, so a broken library build fails the tests; then the testing entry.
import { createVectorIndex, hashingEmbedder, MemoryError } from '../dist/index.js';

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
// The default embedder works from the build, and loading the build did not load transformers.js
// (it is imported lazily, only by transformersEmbedder).
const [vector] = await hashingEmbedder({ dim: 64 }).embed(['I live in Lisbon']);
if (vector?.length !== 64) throw new Error('dist: hashingEmbedder gave no 64-d vector');
const { readFileSync } = await import('node:fs');
if (
  /^import .*@huggingface\/transformers/m.test(
    readFileSync(new URL('../dist/index.js', import.meta.url), 'utf8'),
  )
)
  throw new Error('dist: @huggingface/transformers is imported statically');
// The testing entry loads in plain Node (as an app's Playwright config would load it), exports
// exactly its documented names, and the main entry never pulls in Playwright.
const testing = await import('../dist/testing.js');
const names = Object.keys(testing).sort().join(',');
const want = 'CHROMIUM_ARGS,chromiumLaunchOptions,expect,systemChromium,test,webgpuInfo';
if (names !== want) throw new Error(`dist/testing exports ${names}, expected ${want}`);
if (typeof testing.test.extend !== 'function' || typeof testing.expect !== 'function')
  throw new Error('dist/testing: test or expect is not from @playwright/test');
const launch = testing.chromiumLaunchOptions(['--extra']);
if (!launch.args.includes('--enable-unsafe-webgpu') || launch.args.at(-1) !== '--extra')
  throw new Error(`dist/testing: launch options ${JSON.stringify(launch)}`);
if (readFileSync(new URL('../dist/index.js', import.meta.url), 'utf8').includes('@playwright/'))
  throw new Error('dist: the main entry imports Playwright');
console.log('dist smoke: ok');
