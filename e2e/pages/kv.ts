/**
 * KV pruning in the browser: the KV kernels against the float64 reference on this page's
 * WebGPU device, then the tiny generated decoder on transformers.js with device 'webgpu',
 * its cache pruned on ORT's own device. Writes what it found as JSON into #result for
 * e2e/kv.spec.ts to judge; the page only measures.
 */
import { AutoModelForCausalLM, DynamicCache, env, Tensor } from '@huggingface/transformers';
import { compareWithReference, policies, type KvComparison } from '../../src/kv/kv-cases.js';
import type { KvPolicy, Rotation } from '../../src/kv/policy.js';
import { KvPruner } from '../../src/kv/pruner.js';
import { ropeFromConfig } from '../../src/kv/rope.js';
import { pruneCache, type KvCache } from '../../src/kv/transformers.js';
import { conversation, type ChatCase } from '../../test/kv-conversation.js';
import { reportTo } from './report.js';

const SHAPE = { layers: 2, kvHeads: 2, seq: 300, headDim: 16 };
const ROPE = ropeFromConfig({
  model_type: 'llama',
  hidden_size: 32,
  num_attention_heads: 2,
  rope_theta: 10000,
});

async function kernels(device: GPUDevice): Promise<KvComparison[]> {
  const out: KvComparison[] = [];
  for (const storage of ['f32', 'f16'] as const) {
    for (const rotation of ['shift', 'compact'] as Rotation[]) {
      for (const policy of policies(SHAPE)) {
        const options = { keep: 90, policy, rotation, sinks: 4, window: 20 };
        out.push(await compareWithReference(device, ROPE, storage, SHAPE, options, 5));
      }
    }
  }
  return out;
}

async function load(variant: string) {
  return AutoModelForCausalLM.from_pretrained(`tiny-decoder-${variant}`, {
    device: 'webgpu',
    dtype: 'fp32',
  });
}

type Model = Awaited<ReturnType<typeof load>>;

async function forwardLogits(model: Model, cache: KvCache, input: number[], cached: number) {
  const ids = new Tensor('int64', BigInt64Array.from(input, BigInt), [1, input.length]);
  const total = cached + input.length;
  const mask = new Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]);
  const out = (await model({
    input_ids: ids,
    attention_mask: mask,
    past_key_values: cache,
  })) as Record<string, Tensor>;
  const logits = out.logits!;
  const vocab = logits.dims[2]!;
  // Only present.* stay on the GPU; the logits come back to the CPU.
  const row = (logits.data as Float32Array).slice((input.length - 1) * vocab, input.length * vocab);
  for (const [name, t] of Object.entries(out)) if (name.startsWith('present')) t.dispose();
  return row;
}

/** The case as JSON can carry it: the cache itself stays behind. */
function withoutCache(result: ChatCase): Omit<ChatCase, 'cache'> {
  return Object.fromEntries(Object.entries(result).filter(([key]) => key !== 'cache')) as Omit<
    ChatCase,
    'cache'
  >;
}

const CASES: [KvPolicy, Rotation][] = [
  [{ kind: 'streaming' }, 'shift'],
  [{ kind: 'knorm' }, 'shift'],
  [{ kind: 'knorm' }, 'compact'],
  [{ kind: 'knorm' }, 'none'],
];

async function models() {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = '/test/models/generated/';
  const onnx = env.backends.onnx as unknown as {
    wasm: { wasmPaths: unknown; numThreads: number };
    webgpu: { device: Promise<GPUDevice> | GPUDevice };
  };
  const dist = '/node_modules/onnxruntime-web/dist/';
  onnx.wasm.wasmPaths = {
    mjs: `${dist}ort-wasm-simd-threaded.asyncify.mjs`,
    wasm: `${dist}ort-wasm-simd-threaded.asyncify.wasm`,
  };
  onnx.wasm.numThreads = 1;
  const cases = [];
  const baselines = [];
  const badInput: string[] = [];
  for (const variant of ['plain', 'gqa']) {
    const model = await load(variant);
    // ORT's device exists once a session does; the pruner must run on it.
    const device = await onnx.webgpu.device;
    const rope = ropeFromConfig(model.config as unknown as Record<string, unknown>);
    const pruner = await KvPruner.create(device, { rope });
    for (const [policy, rotation] of CASES) {
      const result = await conversation(
        model,
        { Tensor, DynamicCache } as never,
        { policy, rotation, pruner },
        (cache, input, cached) => forwardLogits(model, cache, input, cached),
      );
      cases.push({ variant, policy: policy.kind, rotation, ...withoutCache(result) });
    }
    // The model's own error on this device, without pruning: the floor pruning adds to.
    const baseline = await conversation(
      model,
      { Tensor, DynamicCache } as never,
      { policy: { kind: 'streaming' }, rotation: 'shift', pruner, budgetTokens: 1000 },
      (cache, input, cached) => forwardLogits(model, cache, input, cached),
    );
    baselines.push({ variant, ...withoutCache(baseline) });
    if (variant === 'plain') badInput.push(...(await refusals(model, pruner)));
    pruner.destroy();
    await model.dispose();
  }
  return { cases, baselines, badInput };
}

/** A cache pruned by a pruner of another device, and one with a released tensor. */
async function refusals(model: Model, pruner: KvPruner): Promise<string[]> {
  const found: string[] = [];
  const cache = new DynamicCache();
  const ids = new Tensor(
    'int64',
    BigInt64Array.from({ length: 40 }, (_, i) => BigInt(i % 60)),
    [1, 40],
  );
  await model.generate({
    input_ids: ids,
    max_new_tokens: 1,
    past_key_values: cache,
    do_sample: false,
  });
  const adapter = await navigator.gpu.requestAdapter();
  const other = await adapter!.requestDevice();
  const foreign = await KvPruner.create(other, { rope: pruner.rope });
  const options = { budgetTokens: 32, policy: { kind: 'knorm' } as const, window: 8 };
  const attempt = async (p: KvPruner) => {
    try {
      await pruneCache(cache as unknown as KvCache, { ...options, pruner: p });
      found.push('no error');
    } catch (e) {
      const error = e as { code?: string; message: string };
      found.push(`${error.code}: ${error.message} (cache ${cache.get_seq_length()})`);
    }
  };
  await attempt(foreign);
  (cache as unknown as Record<string, Tensor>)['past_key_values.1.value']!.dispose();
  await attempt(pruner);
  other.destroy();
  await cache.dispose();
  return found;
}

async function main() {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return { gpu: null };
  const device = await adapter.requestDevice({ label: 'kv check page' });
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (e) =>
    errors.push((e as GPUUncapturedErrorEvent).error.message),
  );
  const comparisons = await kernels(device);
  device.destroy();
  const info = adapter.info;
  return { gpu: info.description || info.architecture, comparisons, errors, ...(await models()) };
}

reportTo(document, main);
