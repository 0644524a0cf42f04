import type { HostStore } from '../vectors/host-store.js';
import type { RowLayout } from '../vectors/layout.js';
import { BufferUsage } from './flags.js';
import type { BufferPool } from './pool.js';

/** Rows [first, first + capacity) of the index on the GPU, in buffers one binding can hold. */
export interface RowChunk {
  readonly index: number;
  readonly first: number;
  readonly capacity: number;
  readonly vectors: GPUBuffer;
  readonly sessions: GPUBuffer;
  /** int8 row scales; undefined for f32 and f16. */
  readonly scales: GPUBuffer | undefined;
}

/**
 * `view` typed for `writeBuffer`. StoreViews are declared over `ArrayBufferLike`, but a
 * HostStore's memory is never shared, so its views always sit on a plain `ArrayBuffer`.
 */
export function hostView<T extends ArrayBufferView>(view: T): T & ArrayBufferView<ArrayBuffer> {
  return view as T & ArrayBufferView<ArrayBuffer>;
}

const CHUNK_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC;

/**
 * The GPU copy of a `HostStore`'s rows, session ordinals and int8 scales, byte for byte. Rows
 * are split into chunks of at most `chunkRows`, so that no buffer outgrows one storage binding;
 * every chunk but the last is full, and the last grows with the store's capacity.
 *
 * @example
 * const mirror = new StoreMirror(device, pool, store.row, 100_000);
 * mirror.sync(store, true); // all rows; later calls upload what `takeDirty()` names
 */
export class StoreMirror {
  readonly chunks: RowChunk[] = [];
  /** Bumped whenever a chunk's buffers are replaced, so bind groups over them are rebuilt. */
  generation = 0;
  private readonly rowBytes: number;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
    readonly row: RowLayout,
    /** Rows per chunk; at least 1. */
    readonly chunkRows: number,
  ) {
    this.rowBytes = row.strideWords * 4;
  }

  /** Rows the GPU copy has room for. */
  get capacity(): number {
    const last = this.chunks.at(-1);
    return last ? last.first + last.capacity : 0;
  }

  /**
   * Grows to the store's capacity and uploads its dirty rows, or all its rows when `everything`
   * (a store this mirror has not seen before).
   */
  sync(store: HostStore, everything: boolean): void {
    const dirty = store.takeDirty();
    this.grow(store.capacity);
    if (everything) this.upload(store, 0, store.rows);
    else if (dirty) this.upload(store, dirty.from, Math.min(dirty.to, store.capacity));
  }

  private upload(store: HostStore, from: number, to: number): void {
    const v = store.views;
    const { strideWords } = this.row;
    const queue = this.device.queue;
    for (const chunk of this.chunks) {
      const a = Math.max(from, chunk.first);
      const b = Math.min(to, chunk.first + chunk.capacity);
      if (a >= b) continue;
      const at = a - chunk.first;
      const n = b - a;
      queue.writeBuffer(
        chunk.vectors,
        at * this.rowBytes,
        hostView(v.u32),
        a * strideWords,
        n * strideWords,
      );
      queue.writeBuffer(chunk.sessions, at * 4, hostView(v.sessions), a, n);
      if (chunk.scales) queue.writeBuffer(chunk.scales, at * 4, hostView(v.scales), a, n);
    }
  }

  /**
   * Adds or enlarges chunks to hold `capacity` rows. An enlarged chunk gets its old contents
   * copied on the GPU, so only rows the store calls dirty ever cross from the host.
   */
  private grow(capacity: number): void {
    let encoder: GPUCommandEncoder | undefined;
    const retired: RowChunk[] = [];
    for (let index = 0; index * this.chunkRows < capacity; index++) {
      const first = index * this.chunkRows;
      const want = Math.min(this.chunkRows, capacity - first);
      const old = this.chunks[index];
      if (old && old.capacity >= want) continue;
      const chunk = this.allocate(index, first, want);
      if (old) {
        encoder ??= this.device.createCommandEncoder({ label: `${this.pool.label}/grow` });
        encoder.copyBufferToBuffer(old.vectors, 0, chunk.vectors, 0, old.capacity * this.rowBytes);
        encoder.copyBufferToBuffer(old.sessions, 0, chunk.sessions, 0, old.capacity * 4);
        if (old.scales && chunk.scales) {
          encoder.copyBufferToBuffer(old.scales, 0, chunk.scales, 0, old.capacity * 4);
        }
        retired.push(old);
      }
      this.chunks[index] = chunk;
      this.generation++;
    }
    if (encoder) this.device.queue.submit([encoder.finish({ label: `${this.pool.label}/grow` })]);
    // Destroying after submit is safe: the copies still see the old buffers.
    for (const old of retired) this.release(old);
  }

  private allocate(index: number, first: number, capacity: number): RowChunk {
    const name = `rows[${index}]`;
    return {
      index,
      first,
      capacity,
      vectors: this.pool.acquire(`${name}.vectors`, capacity * this.rowBytes, CHUNK_USAGE),
      sessions: this.pool.acquire(`${name}.sessions`, capacity * 4, CHUNK_USAGE),
      scales:
        this.row.storage === 'int8'
          ? this.pool.acquire(`${name}.scales`, capacity * 4, CHUNK_USAGE)
          : undefined,
    };
  }

  private release(chunk: RowChunk): void {
    this.pool.release(chunk.vectors);
    this.pool.release(chunk.sessions);
    this.pool.release(chunk.scales);
  }

  /** Frees every chunk. */
  destroy(): void {
    for (const chunk of this.chunks) this.release(chunk);
    this.chunks.length = 0;
    this.generation++;
  }
}
