/**
 * Rotary position settings read from a model's config, and the float64 rotation that moves a
 * cached key from one position to another. Cached keys already carry RoPE for the position
 * they were written at; after eviction they must be turned by the change of position, with
 * the model's own frequencies, or attention sees the wrong distances.
 */
import { MemoryError } from '../errors.js';

/** How a head's rotary pairs are laid out. */
export type RopeLayout = 'rotate-half' | 'interleaved';

/** What re-rotation needs to know about a model's rotary embedding. */
export interface RopeSpec {
  /** Elements per head. */
  readonly headDim: number;
  /** Leading elements of a head that are rotated (even, ≤ headDim); the rest stay as they are. */
  readonly rotaryDim: number;
  /** Pair i is (i, i + rotaryDim/2) for rotate-half (Llama, Qwen) or (2i, 2i+1) (GPT-J). */
  readonly layout: RopeLayout;
  /** Radians per position of each of the rotaryDim/2 pairs, scaling already applied. */
  readonly invFreq: Float64Array;
}

/** The Hugging Face config fields memkeeper reads; everything else is ignored. */
export type ModelConfig = Readonly<Record<string, unknown>>;

// Model families whose positions are not rotary at all.
const ABSOLUTE = ['gpt2', 'gpt_neo', 'opt', 'gpt_bigcode', 'bart', 'whisper', 'bert'];
const ALIBI = ['bloom', 'mpt'];
const INTERLEAVED = ['gptj', 'codegen'];

function refuse(detail: string): never {
  throw new MemoryError('UNSUPPORTED_MODEL', detail);
}

function num(value: unknown, name: string, fallback?: number): number {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    refuse(`the config has no ${name}`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) refuse(`${name} is not a number`);
  return value;
}

/**
 * Reads the rotary settings of a Hugging Face `config.json` (transformers.js exposes it as
 * `model.config`). Static scalings (`linear`, `llama3`, `yarn`) are folded into `invFreq`.
 * Models whose cached keys cannot be moved to new positions are refused with
 * `UNSUPPORTED_MODEL`: dynamic NTK and LongRoPE (frequencies depend on the length), mRoPE,
 * ALiBi, learned absolute positions, and sliding-window or hybrid attention layers.
 *
 * @example
 * const rope = ropeFromConfig(model.config); // { headDim: 64, rotaryDim: 64, layout: 'rotate-half', ... }
 */
export function ropeFromConfig(
  config: ModelConfig,
  overrides: { layout?: RopeLayout } = {},
): RopeSpec {
  const type = String(config.model_type ?? '');
  if (ABSOLUTE.includes(type) || config.position_embedding_type === 'absolute') {
    refuse(`${type || 'this model'} uses learned absolute positions`);
  }
  if (ALIBI.includes(type) || config.alibi === true) refuse(`${type || 'this model'} uses ALiBi`);
  refuseWindows(config);
  const params = (config.rope_parameters ?? config.rope_scaling ?? {}) as Record<string, unknown>;
  if (typeof params !== 'object') refuse('rope_scaling is not an object');
  const theta = num(config.rope_theta ?? params.rope_theta, 'rope_theta (no RoPE parameters)');
  const heads = num(config.num_attention_heads, 'num_attention_heads');
  const headDim = num(
    config.head_dim ?? num(config.hidden_size, 'hidden_size') / heads,
    'head_dim',
  );
  const factor = num(config.partial_rotary_factor ?? params.partial_rotary_factor, 'x', 1);
  const rotaryDim = num(config.rotary_dim, 'rotary_dim', Math.floor(headDim * factor));
  if (!Number.isInteger(headDim) || rotaryDim % 2 !== 0 || rotaryDim > headDim || rotaryDim < 2) {
    refuse(`rotary dimension ${rotaryDim} does not fit head_dim ${headDim}`);
  }
  const layout: RopeLayout =
    overrides.layout ??
    (INTERLEAVED.includes(type) || config.rope_interleaved === true
      ? 'interleaved'
      : 'rotate-half');
  const maxPositions = num(config.max_position_embeddings, 'max_position_embeddings', 2048);
  const invFreq = scaledFrequencies(params, theta, rotaryDim, maxPositions);
  return { headDim, rotaryDim, layout, invFreq };
}

function refuseWindows(config: ModelConfig): void {
  const layers = config.layer_types;
  if (Array.isArray(layers) && layers.some((t) => t !== 'full_attention')) {
    refuse('the model mixes attention layer types (sliding-window or hybrid layers)');
  }
  if (config.sliding_window_pattern !== undefined || config.attention_layers !== undefined) {
    refuse('the model has hybrid attention layers');
  }
  const window = config.sliding_window;
  if (typeof window === 'number' && window > 0 && config.use_sliding_window !== false) {
    refuse(`the model attends through a sliding window of ${window}`);
  }
}

function scaledFrequencies(
  params: Record<string, unknown>,
  theta: number,
  dim: number,
  maxPositions: number,
): Float64Array {
  const kind = String(params.rope_type ?? params.type ?? 'default');
  if (params.mrope_section !== undefined || kind === 'mrope') refuse('mRoPE is not supported');
  const base = Float64Array.from({ length: dim / 2 }, (_, i) => 1 / theta ** ((2 * i) / dim));
  const factor = () => num(params.factor, 'rope_scaling.factor');
  const original = () =>
    num(params.original_max_position_embeddings, 'original_max_position_embeddings', maxPositions);
  switch (kind) {
    case 'default':
      return base;
    case 'linear':
      return base.map((f) => f / factor());
    case 'llama3':
      return llama3(base, factor(), params, original());
    case 'yarn':
      return yarn(base, theta, dim, factor(), params, original());
    case 'dynamic':
      return refuse('dynamic NTK scaling changes frequencies with the length');
    case 'longrope':
    case 'su':
      return refuse('LongRoPE changes frequencies with the length');
    default:
      return refuse(`unknown rope scaling "${kind}"`);
  }
}

function llama3(
  base: Float64Array,
  factor: number,
  params: Record<string, unknown>,
  original: number,
): Float64Array {
  const low = num(params.low_freq_factor, 'low_freq_factor', 1);
  const high = num(params.high_freq_factor, 'high_freq_factor', 4);
  return base.map((f) => {
    const wavelength = (2 * Math.PI) / f;
    if (wavelength < original / high) return f;
    if (wavelength > original / low) return f / factor;
    const smooth = (original / wavelength - low) / (high - low);
    return ((1 - smooth) * f) / factor + smooth * f;
  });
}

function yarn(
  base: Float64Array,
  theta: number,
  dim: number,
  factor: number,
  params: Record<string, unknown>,
  original: number,
): Float64Array {
  const fast = num(params.beta_fast, 'beta_fast', 32);
  const slow = num(params.beta_slow, 'beta_slow', 1);
  const correction = (rotations: number) =>
    (dim * Math.log(original / (rotations * 2 * Math.PI))) / (2 * Math.log(theta));
  const low = Math.max(Math.floor(correction(fast)), 0);
  let high = Math.min(Math.ceil(correction(slow)), dim - 1);
  if (low === high) high += 0.001;
  return base.map((f, i) => {
    const ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
    const extrapolation = 1 - ramp;
    return (f / factor) * (1 - extrapolation) + f * extrapolation;
  });
}

/** The two element indices of rotary pair `i` in one head. */
export function ropePair(spec: RopeSpec, i: number): [number, number] {
  return spec.layout === 'interleaved' ? [2 * i, 2 * i + 1] : [i, i + spec.rotaryDim / 2];
}

/**
 * Turns one cached key (`headDim` values at `from`) by `delta` positions into `out`, in
 * float64. Rotations compose, so a key written at p and turned by δ equals the key written at
 * p + δ; δ = 0 copies exactly.
 *
 * @example
 * rotateKey(spec, key, 0, -40, out); // as if written 40 positions earlier
 */
export function rotateKey(
  spec: RopeSpec,
  key: ArrayLike<number>,
  from: number,
  delta: number,
  out: Float64Array | Float32Array,
  to = 0,
): void {
  for (let d = spec.rotaryDim; d < spec.headDim; d++) out[to + d] = key[from + d]!;
  for (let i = 0; i < spec.rotaryDim / 2; i++) {
    const [a, b] = ropePair(spec, i);
    const x = key[from + a]!;
    const y = key[from + b]!;
    const angle = delta * spec.invFreq[i]!;
    const cos = delta === 0 ? 1 : Math.cos(angle);
    const sin = delta === 0 ? 0 : Math.sin(angle);
    out[to + a] = x * cos - y * sin;
    out[to + b] = y * cos + x * sin;
  }
}

/**
 * RoPE applied to a vector written at `position` (used by tests and the bench to build keys
 * and queries the way a model does).
 */
export function applyRope(
  spec: RopeSpec,
  vector: ArrayLike<number>,
  position: number,
): Float64Array {
  const out = new Float64Array(spec.headDim);
  rotateKey(spec, vector, 0, position, out);
  return out;
}
