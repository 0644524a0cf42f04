/**
 * Loading the in-browser LLM: transformers.js (imported only now, so that the app does not
 * load it unless chosen), the device and dtype, the tokenizer and model with one progress bar,
 * a one-token warm-up that compiles the GPU kernels and shows where and in what type the
 * KV cache lives, and a KvPruner on ORT's own device when the cache is on the GPU.
 */
import {
  KvPruner,
  ropeFromConfig,
  type ChatLibrary,
  type ChatModel,
  type KvCache,
  type RopeSpec,
} from '../../../src/index.js';
import { DownloadProgress, type ModelProgressEvent } from './progress.js';
import { ResponderError, throwIfAborted } from './stream.js';
import { firstPrompt, type TemplateTokenizer } from './template.js';
import type { LoadProgress } from './types.js';

/** One entry of models.json. */
export interface LlmModelEntry {
  /** The Hugging Face repo (or the folder under `localModelPath`). */
  readonly id: string;
  readonly label: string;
  /** The dtype on WebGPU with `shader-f16`, e.g. "q4f16". */
  readonly dtype: string;
  /** The dtype elsewhere (WebGPU without `shader-f16`, WASM, CPU), e.g. "q4". Default `dtype`. */
  readonly fallbackDtype?: string;
  /** Approximate download per dtype, in MB: sizes the progress bar before files report theirs. */
  readonly downloadMB?: Readonly<Record<string, number>>;
  /** The model's context (max_position_embeddings). */
  readonly contextTokens: number;
  /** Cache tokens per head past which the cache is pruned. */
  readonly kvBudgetTokens: number;
  /** Most tokens of a reply (default 256). */
  readonly maxNewTokens?: number;
}

/** Where the model runs. `'auto'`: WebGPU when an adapter is found, WASM otherwise, CPU in Node. */
export type LlmDevice = 'auto' | 'webgpu' | 'wasm' | 'cpu';

/** The part of a transformers.js tokenizer the responder uses. */
export interface LlmTokenizer extends TemplateTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  readonly eos_token_id?: number | null;
}

/** The part of a transformers.js causal LM the responder uses. */
export interface LlmModel extends ChatModel {
  readonly config: Record<string, unknown>;
  readonly generation_config?: { eos_token_id?: number | number[] | null };
  dispose(): Promise<unknown>;
}

/** The part of the transformers.js module the responder uses. */
export interface TransformersModule extends ChatLibrary {
  readonly env: {
    allowRemoteModels: boolean;
    allowLocalModels: boolean;
    localModelPath: string;
    backends: { onnx: unknown };
  };
  readonly AutoTokenizer: {
    from_pretrained(id: string, options: Record<string, unknown>): Promise<unknown>;
  };
  readonly AutoModelForCausalLM: {
    from_pretrained(id: string, options: Record<string, unknown>): Promise<unknown>;
  };
}

/** What loading settles on. */
export interface LoadOptions {
  readonly entry: LlmModelEntry;
  readonly transformers: () => Promise<unknown>;
  readonly device: LlmDevice;
  readonly dtype?: string;
  readonly localModelPath?: string;
  readonly allowRemoteModels?: boolean;
  readonly wasmPaths?: { readonly mjs: string; readonly wasm: string } | string;
}

/** A loaded model, ready to chat. */
export interface LoadedLlm {
  readonly library: TransformersModule;
  readonly tokenizer: LlmTokenizer;
  readonly model: LlmModel;
  readonly device: Exclude<LlmDevice, 'auto'>;
  readonly dtype: string;
  /** The model's rotary settings; undefined when its cache cannot be pruned (`why`). */
  readonly rope?: RopeSpec;
  readonly why?: string;
  /** Set when the cache lives on the GPU. */
  readonly pruner?: KvPruner;
  /** Where the cache lives: 'gpu-buffer' or 'cpu'. */
  readonly location: string;
  /** Token ids that end a reply. */
  readonly eos: ReadonlySet<number>;
}

/** Megabytes as the Hub lists file sizes (10^6 bytes). */
const MB = 1e6;

/**
 * Loads the model of `entry` with one progress bar (downloads to 95%, warm-up to 100%).
 *
 * @example
 * const llm = await loadLlm({ entry, transformers: () => import('@huggingface/transformers'), device: 'auto' }, onProgress);
 */
export async function loadLlm(
  options: LoadOptions,
  onProgress: (progress: LoadProgress) => void,
  signal?: AbortSignal,
): Promise<LoadedLlm> {
  const { entry } = options;
  const bar = new DownloadProgress(0, onProgress);
  bar.step(0, 'Loading transformers.js…');
  const library = (await options.transformers()) as TransformersModule;
  throwIfAborted(signal);
  configure(library, options);
  const { device, f16 } = await chooseDevice(options.device);
  const dtype = options.dtype ?? (f16 ? entry.dtype : (entry.fallbackDtype ?? entry.dtype));
  const expected = (entry.downloadMB?.[dtype] ?? 0) * MB;
  const files = new DownloadProgress(expected, onProgress, [0.02, 0.95]);
  const progress_callback = (event: ModelProgressEvent) => files.read(event);
  let tokenizer: LlmTokenizer;
  let model: LlmModel;
  try {
    tokenizer = (await library.AutoTokenizer.from_pretrained(entry.id, {
      progress_callback,
    })) as LlmTokenizer;
    throwIfAborted(signal);
    model = (await library.AutoModelForCausalLM.from_pretrained(entry.id, {
      dtype,
      device,
      progress_callback,
    })) as LlmModel;
  } catch (cause) {
    throwIfAborted(signal);
    throw new ResponderError(
      'MODEL_LOAD_FAILED',
      `Could not load ${entry.label} (${dtype} on ${device}): ${(cause as Error)?.message ?? cause}`,
      { cause },
    );
  }
  try {
    throwIfAborted(signal);
    files.step(0.96, `Compiling ${entry.label} for ${device}…`);
    const cache = await warmUp(library, tokenizer, model);
    let rope: RopeSpec | undefined;
    let why: string | undefined;
    try {
      rope = ropeFromConfig(model.config);
    } catch (error) {
      why = (error as Error).message;
    }
    let pruner: KvPruner | undefined;
    if (rope && cache.location === 'gpu-buffer') {
      const onnx = library.env.backends.onnx as { webgpu?: { device?: Promise<GPUDevice> } };
      const gpu = await onnx.webgpu?.device;
      if (!gpu) throw new Error('the cache is on the GPU but ORT exposes no WebGPU device');
      pruner = await KvPruner.create(gpu, {
        rope,
        storage: cache.type === 'float16' ? 'f16' : 'f32',
      });
    }
    files.step(1, `Ready: ${entry.label} on ${device === 'webgpu' ? 'WebGPU' : device} (${dtype})`);
    return {
      library,
      tokenizer,
      model,
      device,
      dtype,
      rope,
      why,
      pruner,
      location: cache.location,
      eos: endTokens(tokenizer, model),
    };
  } catch (cause) {
    await model.dispose().catch(() => undefined);
    throwIfAborted(signal);
    throw new ResponderError(
      'MODEL_LOAD_FAILED',
      `${entry.label} loaded but could not run on ${device}: ${(cause as Error)?.message ?? cause}`,
      { cause },
    );
  }
}

/** Points transformers.js at local models and at the app's own copy of ORT's runtime. */
function configure(library: TransformersModule, options: LoadOptions): void {
  const { env } = library;
  if (options.localModelPath !== undefined) {
    env.localModelPath = options.localModelPath.endsWith('/')
      ? options.localModelPath
      : `${options.localModelPath}/`;
    env.allowLocalModels = true;
  }
  if (options.allowRemoteModels !== undefined) env.allowRemoteModels = options.allowRemoteModels;
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown } } | undefined;
  if (options.wasmPaths !== undefined && onnx?.wasm) {
    onnx.wasm.wasmPaths =
      typeof options.wasmPaths === 'string' ? options.wasmPaths : { ...options.wasmPaths };
  }
}

async function chooseDevice(
  wanted: LlmDevice,
): Promise<{ device: Exclude<LlmDevice, 'auto'>; f16: boolean }> {
  if (wanted === 'cpu' || wanted === 'wasm') return { device: wanted, f16: false };
  const inNode = typeof process !== 'undefined' && Boolean(process.versions?.node);
  const gpu = typeof navigator !== 'undefined' ? navigator.gpu : undefined;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  if (adapter) return { device: 'webgpu', f16: adapter.features.has('shader-f16') };
  if (wanted === 'webgpu') {
    throw new ResponderError('MODEL_LOAD_FAILED', 'WebGPU is not available in this browser');
  }
  return { device: inNode ? 'cpu' : 'wasm', f16: false };
}

/** One token through a fresh cache: compiles the kernels, and shows the cache's place and type. */
async function warmUp(
  library: TransformersModule,
  tokenizer: LlmTokenizer,
  model: LlmModel,
): Promise<{ location: string; type: string }> {
  const text = firstPrompt(tokenizer, [{ role: 'user', content: 'Hi' }]);
  const ids = tokenizer.encode(text, { add_special_tokens: false }).slice(0, 8);
  const cache = new library.DynamicCache();
  const n = ids.length;
  await model.generate({
    input_ids: new library.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
    attention_mask: new library.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
    past_key_values: cache,
    max_new_tokens: 1,
    do_sample: false,
    return_dict_in_generate: true,
  });
  const key = (cache as KvCache & Record<string, { location: string; type: string }>)[
    'past_key_values.0.key'
  ];
  const found = { location: key?.location ?? 'cpu', type: key?.type ?? 'float32' };
  await (cache as KvCache & { dispose?: () => Promise<void> }).dispose?.();
  return found;
}

function endTokens(tokenizer: LlmTokenizer, model: LlmModel): Set<number> {
  const ids = [model.generation_config?.eos_token_id, tokenizer.eos_token_id].flat();
  return new Set(ids.filter((id): id is number => typeof id === 'number'));
}
