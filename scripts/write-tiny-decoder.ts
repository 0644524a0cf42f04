/**
 * Writes the tiny decoders (see tiny-decoder.ts) where transformers.js can load them with
 * `env.localModelPath` pointing at `folder` (test/models/, ignored by git). Rewritten on every
 * run: a few kilobytes, and never stale.
 *
 *   npx tsx scripts/write-tiny-decoder.ts test/models/generated
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TINY, tinyConfig, tinyModel } from './tiny-decoder.js';

/** Writes both variants under `folder` (which the tests point `env.localModelPath` at). */
export function writeTinyDecoders(folder: string): string[] {
  const written: string[] = [];
  for (const variant of ['plain', 'gqa'] as const) {
    const dir = join(folder, `tiny-decoder-${variant}`);
    written.push(dir);
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(tinyConfig(variant), null, 2));
    const generation = { bos_token_id: 0, eos_token_id: TINY.vocab };
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify(generation));
    writeFileSync(join(dir, 'onnx', 'model.onnx'), tinyModel(variant));
  }
  return written;
}

if (process.argv[1]?.endsWith('write-tiny-decoder.ts') && process.argv[2]) {
  for (const dir of writeTinyDecoders(process.argv[2])) console.log(`wrote ${dir}`);
}
