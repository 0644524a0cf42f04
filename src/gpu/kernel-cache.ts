/**
 * Builds a kernel once per device and variant and shares it after, in a `WeakMap` keyed by the
 * device (so two devices never share pipelines and a dropped device frees its own). A failed
 * build is forgotten, so a later call can try again.
 *
 * @example
 * private static readonly cache = new KernelCache((device, storage: VectorStorage) =>
 *   ScoreTopK.build(device, storage));
 * static create(device: GPUDevice, storage: VectorStorage) {
 *   return ScoreTopK.cache.get(device, storage);
 * }
 */
export class KernelCache<Variant, Kernel> {
  private readonly built = new WeakMap<GPUDevice, Map<Variant, Promise<Kernel>>>();

  constructor(private readonly build: (device: GPUDevice, variant: Variant) => Promise<Kernel>) {}

  /** The kernel for `variant` on `device`, built on the first call. */
  get(device: GPUDevice, variant: Variant): Promise<Kernel> {
    let kernels = this.built.get(device);
    if (!kernels) this.built.set(device, (kernels = new Map()));
    let kernel = kernels.get(variant);
    if (!kernel) {
      kernel = this.build(device, variant);
      kernels.set(variant, kernel);
      kernel.catch(() => kernels.delete(variant));
    }
    return kernel;
  }
}
