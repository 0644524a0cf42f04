import type { ScanBackend } from '../vectors/backend.js';
import { fromHalf } from '../vectors/half.js';
import type { HostStore } from '../vectors/host-store.js';
import { TopK } from './topk.js';

let halfTable: Float32Array | undefined;
/** Every binary16 value as f32, built once. */
function halves(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = fromHalf(h);
  }
  return halfTable;
}

/**
 * The plain-TypeScript scan: the fallback where WebAssembly SIMD and WebGPU are missing, and
 * the oracle the other backends are tested against. Dot products accumulate in float64.
 */
export class TsScan implements ScanBackend {
  readonly name = 'ts' as const;

  scan(store: HostStore, nq: number, k: number): void {
    const v = store.views;
    const { dim, storage, strideWords, queryStride } = store.row;
    const top = new TopK(k);
    const table = storage === 'f16' ? halves() : undefined;
    for (let q = 0; q < nq; q++) {
      top.reset();
      const qf = q * queryStride;
      const qi = q * strideWords * 4;
      const qScale = v.queryScales[q]!;
      for (let r = 0; r < store.rows; r++) {
        const s = v.sessions[r]!;
        if (!(v.mask[s >>> 5]! & (1 << (s & 31)))) continue;
        let dot = 0;
        if (storage === 'f32') {
          const base = r * strideWords;
          for (let i = 0; i < dim; i++) dot += v.queries[qf + i]! * v.f32[base + i]!;
        } else if (table) {
          const base = r * strideWords * 2;
          for (let i = 0; i < dim; i++) dot += v.queries[qf + i]! * table[v.f16[base + i]!]!;
        } else {
          const base = r * strideWords * 4;
          let acc = 0;
          for (let i = 0; i < dim; i++) acc += v.queriesI8[qi + i]! * v.i8[base + i]!;
          dot = acc * qScale * v.scales[r]!;
        }
        top.offer(r, dot);
      }
      top.writeTo(v.outRows, v.outScores, q * k);
    }
  }

  destroy(): void {}
}
