import type { WasmFlavour } from '../cpu/wasm-scan.js';
import type { GpuContext } from '../gpu/device.js';
import type { BackendName } from './backend.js';

/** The backend a search runs on, and why it was chosen. */
export interface BackendChoice {
  readonly name: BackendName;
  readonly reason: string;
}

/** What the index can use right now. */
export interface Abilities {
  /** The WASM kernel build available, if any. */
  readonly wasm: WasmFlavour | undefined;
  readonly gpu: GpuContext | undefined;
}

/**
 * The CPU backend: WASM SIMD where the engine has it, else plain TypeScript.
 */
export function cpuChoice(abilities: Abilities, why: string): BackendChoice {
  return abilities.wasm
    ? {
        name: 'wasm',
        reason: `${why}; WASM ${abilities.wasm === 'relaxed-simd' ? 'relaxed SIMD' : 'SIMD'} scan on the CPU`,
      }
    : { name: 'ts', reason: `${why}; no WebAssembly SIMD here, plain TypeScript scan` };
}

/**
 * The choice made without measuring: no GPU or a software adapter means the CPU (SwiftShader
 * ran the best WGSL kernel ~20x slower than a WASM scan of the same vectors); a real GPU
 * returns undefined, meaning "calibrate".
 */
export function staticChoice(abilities: Abilities): BackendChoice | undefined {
  const gpu = abilities.gpu;
  if (!gpu) return cpuChoice(abilities, 'no WebGPU device');
  if (!gpu.device) return cpuChoice(abilities, 'the GPU device was lost and is being reacquired');
  if (gpu.info.isFallback) {
    return cpuChoice(abilities, `${gpu.info.name} is a software (fallback) adapter`);
  }
  return undefined;
}

/** Times `run` (after one warm-up) and returns the best of `repeats` in ms. */
export async function timeBest(run: () => Promise<void> | void, repeats = 3): Promise<number> {
  await run();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}
