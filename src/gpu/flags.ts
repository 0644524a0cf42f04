/**
 * WebGPU's flag values, fixed by the specification. The kernels use these rather than the
 * `GPUBufferUsage` / `GPUShaderStage` / `GPUMapMode` globals, which a page without WebGPU
 * lacks (importing memkeeper must not throw there) and which Node's Dawn defines only once
 * its globals are installed.
 */

/** `GPUBufferUsage` bits. */
export const BufferUsage = {
  MAP_READ: 0x1,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
} as const;

/** `COMPUTE_STAGE`. */
export const COMPUTE_STAGE = 0x4;

/** `MAP_READ`. */
export const MAP_READ = 0x1;
