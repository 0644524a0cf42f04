/**
 * `npm run bench:kv`: KV pruning figures, all measured in this one run. Prune time of a
 * 0.5B-chat-shaped f32 cache (24 layers, 2 KV heads, head dim 64, 4,096 tokens) pruned to
 * 50% and 25%, on the GPU path (Dawn; SwiftShader here, a CPU emulating a GPU) and the
 * TypeScript path, next to the memory-bandwidth floor; GPU memory before and after; then
 * quality proxies per policy at 2x/4x/8x on synthetic attention. Prints tables; `--json FILE`
 * also writes every figure.
 *
 * Usage: npm run bench:kv -- [--json FILE]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as webgpu from 'webgpu';
import { ropeFromConfig } from '../../src/kv/rope.js';
import { measureQuality } from './quality.js';
import { hostBandwidth, measureTiming, type TimingRow } from './timing.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const MiB = 1024 * 1024;
// Dawn's instance must outlive its devices: collected, it takes them down (a crash, not an
// error).
let entry: GPU | undefined;

async function openDevice(): Promise<{ device: GPUDevice; name: string } | undefined> {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  Object.assign(globalThis, webgpu.globals);
  entry = webgpu.create([]);
  const adapter = await entry.requestAdapter();
  if (!adapter) return undefined;
  const { limits } = adapter;
  const device = await adapter.requestDevice({
    label: 'bench:kv',
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
    },
  });
  const info = adapter.info;
  return { device, name: info.description || `${info.vendor} ${info.architecture}` };
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r) => line(r.map(String))),
  ].join('\n');
}

/** Runs the bench, prints its tables, writes the JSON asked for; resolves to the exit code. */
export async function main(argv: readonly string[] = []): Promise<number> {
  // KV_BENCH_LAYERS / KV_BENCH_SEQ shrink the cache for a quick look; the figures asked for
  // are the defaults.
  const layers = Number(process.env.KV_BENCH_LAYERS ?? 24);
  const seq = Number(process.env.KV_BENCH_SEQ ?? 4096);
  const shape = { layers, kvHeads: 2, seq, headDim: 64 };
  // Qwen2.5-0.5B's attention: 14 query heads of 64, 2 KV heads, theta 1e6.
  const rope = ropeFromConfig({
    model_type: 'qwen2',
    hidden_size: 896,
    num_attention_heads: 14,
    rope_theta: 1_000_000,
    sliding_window: 32768,
    use_sliding_window: false,
  });
  const bandwidth = hostBandwidth();
  console.log(`host memory bandwidth (copy): ${(bandwidth / 1e9).toFixed(1)} GB/s`);
  const opened = await openDevice();
  let timing: TimingRow[] = [];
  if (!opened) {
    console.warn('WARNING: no WebGPU adapter: the GPU column is SKIPPED');
  } else {
    console.log(`GPU: ${opened.name} (a software adapter runs on the CPU cores)`);
    timing = await measureTiming(opened.device, rope, shape, [0.5, 0.25], bandwidth);
    console.log(
      `\nprune of ${shape.layers}x${shape.kvHeads}x${shape.seq}x${shape.headDim} f32, KNorm, shift re-rotation`,
    );
    console.log(
      table(
        [
          'keep',
          'tokens',
          'GPU ms',
          'TS ms',
          'TS/GPU',
          'MiB moved',
          'floor ms',
          'GPU/floor',
          'cache MiB before→after',
          'scratch MiB',
        ],
        timing.map((r) => [
          `${r.keepFraction * 100}%`,
          r.keep,
          r.gpuMs.toFixed(1),
          r.tsMs.toFixed(1),
          (r.tsMs / r.gpuMs).toFixed(2),
          (r.bytesMoved / MiB).toFixed(1),
          r.floorMs.toFixed(2),
          (r.gpuMs / r.floorMs).toFixed(1),
          `${(r.cacheBytesBefore / MiB).toFixed(0)}→${(r.cacheBytesAfter / MiB).toFixed(0)}`,
          (r.scratchBytes / MiB).toFixed(2),
        ]),
      ),
    );
    opened.device.destroy();
  }
  console.log(
    '\nquality on synthetic attention (one head, 2,048 tokens, dim 64, sinks 4, window 64, 16 probes)',
  );
  const quality = measureQuality();
  console.log(
    table(
      ['policy', 'compression', 'kept', 'attention mass kept', 'output rel. error'],
      quality.map((r) => [
        r.policy,
        `${r.compression}x`,
        r.kept,
        r.massKept.toFixed(3),
        r.outputError.toFixed(3),
      ]),
    ),
  );
  const json = argv.includes('--json') ? argv[argv.indexOf('--json') + 1] : undefined;
  if (json) {
    const file = resolve(json);
    mkdirSync(dirname(file), { recursive: true });
    const figures = {
      hostBandwidthGbS: bandwidth / 1e9,
      gpu: opened?.name ?? null,
      shape,
      timing,
      quality: {
        setup: 'one head, 2,048 tokens, dim 64, sinks 4, window 64, 16 probes',
        rows: quality,
      },
    };
    writeFileSync(file, JSON.stringify(figures, null, 2));
    console.log(`wrote ${file}`);
  }
  return 0;
}
