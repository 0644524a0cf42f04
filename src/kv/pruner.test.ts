import { expect, it } from 'vitest';
import { describeGpu, openDawn } from '../../test/dawn.js';
import { compareWithReference, readBack, seededCache, uploadCache } from './kv-cases.js';
import type { KvShape, PruneOptions, Rotation } from './policy.js';
import { policies } from './kv-cases.js';
import { KvPruner } from './pruner.js';
import { ropeFromConfig } from './rope.js';

const opened = await openDawn();
const LLAMA = { model_type: 'llama', hidden_size: 32, num_attention_heads: 2, rope_theta: 10000 };
const ROPE = ropeFromConfig(LLAMA); // headDim 16
const GPTJ = ropeFromConfig({ ...LLAMA, model_type: 'gptj', rotary_dim: 12 });
// Two select chunks and a tail; small enough for SwiftShader on shared cores.
const SHAPE: KvShape = { layers: 2, kvHeads: 2, seq: 300, headDim: 16 };

describeGpu('KvPruner', opened, (dawn) => {
  it('matches the float64 reference for every policy and rotation, f32 and f16', async () => {
    const failures: string[] = [];
    const seen: string[] = [];
    for (const storage of ['f32', 'f16'] as const) {
      for (const rotation of ['shift', 'compact', 'none'] as Rotation[]) {
        for (const policy of policies(SHAPE)) {
          const options: PruneOptions = { keep: 90, policy, rotation, sinks: 4, window: 20 };
          const c = await dawn.scoped(() =>
            compareWithReference(dawn.device, ROPE, storage, SHAPE, options, 5),
          );
          const tolerance = storage === 'f32' ? 1e-6 : 1e-3;
          seen.push(`${c.what}: keep ${c.keep} key error ${c.maxKeyError.toExponential(2)}`);
          if (
            !c.sameKept ||
            !c.valuesExact ||
            c.keep !== c.wantKeep ||
            !(c.maxKeyError <= tolerance)
          ) {
            failures.push(`${c.what}: ${JSON.stringify(c)}`);
          }
        }
      }
    }
    if (process.env.KV_VERBOSE) console.info(seen.join('\n'));
    expect(failures).toEqual([]);
  });

  it('rotates interleaved pairs and leaves the unrotated tail alone; keeps all at shift 0', async () => {
    for (const keep of [300, 137]) {
      const options: PruneOptions = { keep, policy: { kind: 'knorm' }, sinks: 0, window: 0 };
      const c = await compareWithReference(dawn.device, GPTJ, 'f32', SHAPE, options, 9);
      expect(c.valuesExact, c.what).toBe(true);
      expect(c.maxKeyError, c.what).toBeLessThanOrEqual(keep === 300 ? 0 : 1e-6);
    }
  });

  it('refuses bad input before work and leaves the cache as it was', async () => {
    const pruner = await KvPruner.create(dawn.device, { rope: ROPE });
    const cache = seededCache(SHAPE, 'f32', 3);
    const layers = uploadCache(dawn.device, cache, 'f32');
    const before = await readBack(dawn.device, layers[0]!.key);
    const knorm = { kind: 'knorm' } as const;
    const bad = async (run: () => Promise<unknown>, message: RegExp) => {
      await expect(run()).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: expect.stringMatching(message),
      });
    };
    await bad(
      () => pruner.prune(layers, SHAPE, { keep: 10, policy: knorm, window: 20 }),
      /smaller than sinks/,
    );
    await bad(
      () => pruner.prune(layers.slice(1), SHAPE, { keep: 90, policy: knorm }),
      /1 layers given/,
    );
    await bad(
      () => pruner.prune(layers, { ...SHAPE, seq: 400 }, { keep: 90, policy: knorm }),
      /bytes/,
    );
    const spare = await dawn.spareDevice();
    const foreign = uploadCache(spare, cache.slice(0, 1), 'f32')[0]!;
    await bad(
      () => pruner.prune([layers[0]!, foreign], SHAPE, { keep: 90, policy: knorm }),
      /could not be read/,
    );
    spare.destroy();
    const released = uploadCache(dawn.device, cache.slice(0, 1), 'f32')[0]!;
    released.key.destroy();
    await bad(
      () => pruner.prune([layers[0]!, released], SHAPE, { keep: 90, policy: knorm }),
      /could not be read/,
    );
    released.value.destroy();
    expect(new Uint8Array(await readBack(dawn.device, layers[0]!.key))).toEqual(
      new Uint8Array(before),
    );
    pruner.destroy();
    await expect(pruner.prune(layers, SHAPE, { keep: 90, policy: knorm })).rejects.toMatchObject({
      code: 'DESTROYED',
    });
    for (const l of layers) {
      l.key.destroy();
      l.value.destroy();
    }
  });
});
