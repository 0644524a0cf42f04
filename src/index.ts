/**
 * memkeeper: memory for LLM chat apps that runs in the browser.
 *
 * @example
 * import { createVectorIndex } from 'memkeeper';
 * const index = await createVectorIndex({ dim: 384 });
 */
export { MemoryError } from './errors.js';
export type { MemoryErrorCode } from './errors.js';
export { createVectorIndex, VectorIndex } from './vectors/vector-index.js';
export type {
  SearchFilter,
  SearchHit,
  SearchOptions,
  VectorIndexOptions,
  VectorRecord,
} from './vectors/vector-index.js';
export type { BackendName } from './vectors/backend.js';
export type { BackendChoice } from './vectors/choose.js';
export { MAX_K } from './vectors/layout.js';
export type { VectorStorage } from './vectors/layout.js';
export { acquireGpu } from './gpu/device.js';
export type { GpuContext, GpuInfo, GpuOption } from './gpu/device.js';
export { hashingEmbedder } from './embed/hashing.js';
export type { HashingEmbedder, HashingEmbedderOptions } from './embed/hashing.js';
export { transformersEmbedder } from './embed/transformers.js';
export type { TransformersDevice, TransformersEmbedderOptions } from './embed/transformers.js';
export type { Embedder, ProgressEvent } from './embed/embedder.js';
export type { AnchorCandidate, AnchorKind } from './extract/anchor.js';
