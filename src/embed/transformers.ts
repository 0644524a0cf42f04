/**
 * A sentence-embedding model through transformers.js: feature extraction, mean pooling over the
 * attention mask, L2-normalized. The library is imported lazily, on the first call, so that
 * apps that never call this never load it (it is an optional peer dependency).
 */
import { MemoryError, check } from '../errors.js';
import type * as Transformers from '@huggingface/transformers';
import type { Embedder, ProgressEvent } from './embedder.js';

/** Where the model runs. `'auto'`: WebGPU when the browser has it, else WASM; CPU in Node. */
export type TransformersDevice = 'auto' | 'webgpu' | 'wasm' | 'cpu';

/** Options of {@link transformersEmbedder}. */
export interface TransformersEmbedderOptions {
  /** A Hugging Face model id, e.g. `'Xenova/all-MiniLM-L6-v2'`, or a folder under `localModelPath`. */
  model: string;
  /** Default `'auto'`. */
  device?: TransformersDevice;
  /** Weights' precision, as transformers.js names it; default `'fp32'` (`'q8'` is smaller). */
  dtype?: 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';
  /** Download progress, then `'ready'`; `progress` (0..1) never goes back. */
  onProgress?: (event: ProgressEvent) => void;
  /** A folder (Node) or URL path (browser) that holds `<model>/config.json` and the rest. */
  localModelPath?: string;
  /** `false`: never fetch from the network, only local files or the cache. Default `true`. */
  allowRemoteModels?: boolean;
  /** Prepended to stored texts and to queries, for models trained with them ("passage: "). */
  documentPrefix?: string;
  queryPrefix?: string;
  /** Texts per model call; bounds memory on long batches. Default 32. */
  batchSize?: number;
  signal?: AbortSignal;
}

/** Bumped when pooling, normalization or prefixes change how vectors are made. */
const TRANSFORMERS_VERSION = 1;

type Extractor = {
  (
    texts: string[],
    options: { pooling: 'mean'; normalize: boolean },
  ): Promise<{ dims: number[]; data: ArrayLike<number> }>;
  model: { config?: { hidden_size?: number; d_model?: number } };
  dispose(): Promise<void>;
};

/**
 * Loads the model and resolves to an embedder whose `dim` is known (read from the model's
 * config and checked against a probe embedding). Rejects with `MODEL_LOAD_FAILED` when the
 * package is missing or the model cannot be loaded, and with `DIMENSION_MISMATCH` when the
 * model's output does not match its config.
 *
 * @example
 * const embedder = await transformersEmbedder({
 *   model: 'Xenova/all-MiniLM-L6-v2',
 *   dtype: 'q8',
 *   onProgress: (e) => e.kind === 'download' && bar.set(e.progress),
 * });
 * const [v] = await embedder.embed(['I live in Lisbon']); // v.length === embedder.dim (384)
 */
export async function transformersEmbedder(
  options: TransformersEmbedderOptions,
): Promise<Embedder> {
  check(
    typeof options?.model === 'string' && options.model.trim() !== '',
    'model must be a non-empty string',
  );
  const batchSize = options.batchSize ?? 32;
  check(
    Number.isInteger(batchSize) && batchSize > 0,
    `batchSize must be a positive integer, got ${batchSize}`,
  );
  const dtype = options.dtype ?? 'fp32';
  const documentPrefix = options.documentPrefix ?? '';
  const queryPrefix = options.queryPrefix ?? '';
  options.signal?.throwIfAborted();

  let library: typeof Transformers;
  try {
    library = await import('@huggingface/transformers');
  } catch (cause) {
    throw new MemoryError(
      'MODEL_LOAD_FAILED',
      'install the optional peer dependency @huggingface/transformers',
      { cause },
    );
  }
  const modelPath = options.localModelPath
    ? joinPath(options.localModelPath, options.model)
    : options.model;
  // transformers.js keeps this switch in its global env and turns it off in browsers; a local
  // folder cannot be read without it, so it is turned on only when the app names one.
  if (options.localModelPath) library.env.allowLocalModels = true;
  const progress = progressForwarder(options.onProgress);
  let extractor: Extractor;
  try {
    extractor = (await library.pipeline('feature-extraction', modelPath, {
      device: resolveDevice(options.device ?? 'auto'),
      dtype,
      // Per call rather than the global env.allowRemoteModels: two memories may differ.
      local_files_only: options.allowRemoteModels === false,
      progress_callback: progress.forward,
    })) as unknown as Extractor;
  } catch (cause) {
    throw new MemoryError(
      'MODEL_LOAD_FAILED',
      `${options.model}: ${(cause as Error)?.message ?? cause}`,
      { cause },
    );
  }

  const run = async (texts: string[]): Promise<Float32Array[]> => {
    const out = await extractor(texts, { pooling: 'mean', normalize: true });
    const [rows, width] = out.dims;
    if (rows !== texts.length || width === undefined) {
      throw new MemoryError(
        'DIMENSION_MISMATCH',
        `model returned dims [${out.dims}] for ${texts.length} texts`,
      );
    }
    return Array.from({ length: rows }, (_, i) =>
      Float32Array.from(
        Array.prototype.slice.call(out.data, i * width, (i + 1) * width) as number[],
      ),
    );
  };

  const configured = extractor.model.config?.hidden_size ?? extractor.model.config?.d_model;
  let probe: Float32Array[];
  try {
    probe = await run(['memkeeper']);
  } catch (cause) {
    await extractor.dispose();
    if (cause instanceof MemoryError) throw cause;
    throw new MemoryError('MODEL_LOAD_FAILED', `${options.model} failed on a probe text`, {
      cause,
    });
  }
  const dim = probe[0]!.length;
  if (configured !== undefined && configured !== dim) {
    await extractor.dispose();
    throw new MemoryError(
      'DIMENSION_MISMATCH',
      `${options.model}: config says ${configured}, output has ${dim}`,
    );
  }
  progress.ready(options.model);

  // One model call at a time: an ONNX session must not run twice at once (WebGPU/WASM refuse).
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;
  const embedWith = (prefix: string) => async (texts: readonly string[], signal?: AbortSignal) => {
    if (disposed) throw new MemoryError('DESTROYED', 'this transformers embedder was disposed');
    check(Array.isArray(texts), 'texts must be an array of strings');
    texts.forEach((t, i) =>
      check(typeof t === 'string', `texts[${i}] must be a string, got ${typeof t}`),
    );
    const job = queue.then(async () => {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        signal?.throwIfAborted();
        if (disposed) throw new MemoryError('DESTROYED', 'this transformers embedder was disposed');
        for (const v of await run(texts.slice(start, start + batchSize).map((t) => prefix + t))) {
          if (v.length !== dim)
            throw new MemoryError('DIMENSION_MISMATCH', `expected ${dim}, got ${v.length}`);
          vectors.push(v);
        }
      }
      return vectors;
    });
    queue = job.catch(() => undefined);
    return job;
  };

  const prefixes =
    documentPrefix || queryPrefix ? `:p${JSON.stringify([documentPrefix, queryPrefix])}` : '';
  return {
    id: `transformers-v${TRANSFORMERS_VERSION}:${options.model}:${dtype}:mean:d${dim}${prefixes}`,
    dim,
    embed: embedWith(documentPrefix),
    embedQuery: embedWith(queryPrefix),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await queue;
      await extractor.dispose();
    },
  };
}

function resolveDevice(device: TransformersDevice): 'webgpu' | 'wasm' | 'cpu' {
  const inBrowser =
    typeof window !== 'undefined' ||
    typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';
  if (device !== 'auto') return device;
  if (!inBrowser) return 'cpu';
  return typeof navigator !== 'undefined' && 'gpu' in navigator ? 'webgpu' : 'wasm';
}

function joinPath(base: string, model: string): string {
  return `${base.replace(/[/\\]+$/, '')}/${model.replace(/^[/\\]+/, '')}`;
}

type LibraryProgress = { status: string; file?: string; loaded?: number; total?: number };

/**
 * Turns transformers.js's per-file events into one download progress over all files. Files are
 * discovered one by one, so the byte total grows and the raw ratio can fall; the forwarded
 * `progress` is the running maximum, so a progress bar never jumps back.
 */
function progressForwarder(onProgress: ((event: ProgressEvent) => void) | undefined) {
  const files = new Map<string, { loaded: number; total: number }>();
  let last = 0;
  const emit = (file: string) => {
    let loaded = 0;
    let total = 0;
    for (const f of files.values()) {
      loaded += f.loaded;
      total += f.total;
    }
    last = Math.max(last, total > 0 ? Math.min(1, loaded / total) : 0);
    onProgress?.({ kind: 'download', file, loaded, total, progress: last });
  };
  return {
    forward(info: LibraryProgress) {
      if (!onProgress || !info.file) return;
      const file = files.get(info.file);
      if (
        info.status === 'progress' &&
        typeof info.loaded === 'number' &&
        typeof info.total === 'number'
      ) {
        files.set(info.file, {
          loaded: Math.max(file?.loaded ?? 0, info.loaded),
          total: info.total,
        });
        emit(info.file);
      } else if (info.status === 'done' && file && file.loaded < file.total) {
        file.loaded = file.total;
        emit(info.file);
      }
    },
    ready(what: string) {
      onProgress?.({ kind: 'ready', what });
    },
  };
}
