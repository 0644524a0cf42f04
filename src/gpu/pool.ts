import { MemoryError } from '../errors.js';

/**
 * Creates, counts and destroys the GPU buffers of one owner, so the app can show how much GPU
 * memory memkeeper holds and `destroy()` can free all of it at once. Sizes only grow (and
 * geometrically), so a freed buffer is destroyed at once rather than kept for reuse.
 *
 * @example
 * const pool = new BufferPool(device, 'index');
 * const rows = pool.acquire('rows', 1 << 20, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
 * console.log(pool.bytes); // 1048576
 * pool.destroy();
 */
export class BufferPool {
  private readonly live = new Map<GPUBuffer, number>();
  private held = 0;
  private peakBytes = 0;
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    /** Prefixed to every buffer's label, so validation messages name their owner. */
    readonly label: string,
  ) {}

  /** GPU bytes held now. */
  get bytes(): number {
    return this.held;
  }

  /** The most GPU bytes held at once. */
  get peak(): number {
    return this.peakBytes;
  }

  /** Buffers held now. */
  get count(): number {
    return this.live.size;
  }

  /** A new buffer of at least `size` bytes (rounded up to 16, as copies and bindings want). */
  acquire(name: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    if (this.destroyed) throw new MemoryError('DESTROYED', `buffer pool ${this.label}`);
    const bytes = Math.max(16, Math.ceil(size / 16) * 16);
    const buffer = this.device.createBuffer({ label: `${this.label}/${name}`, size: bytes, usage });
    this.live.set(buffer, bytes);
    this.held += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.held);
    return buffer;
  }

  /** Destroys `buffer` and stops counting it; buffers from elsewhere are left alone. */
  release(buffer: GPUBuffer | undefined): void {
    if (!buffer) return;
    const bytes = this.live.get(buffer);
    if (bytes === undefined) return;
    this.live.delete(buffer);
    this.held -= bytes;
    buffer.destroy();
  }

  /** Destroys every buffer still held; idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    for (const buffer of [...this.live.keys()]) this.release(buffer);
    this.destroyed = true;
  }
}
