/**
 * What a prune keeps: the policies, the shape of a cache, and the checks every path (float64
 * reference, GPU, transformers.js adapter) runs before touching anything.
 */
import { check } from '../errors.js';

/** Sinks + recent window only (StreamingLLM, arXiv 2309.17453): keeps the newest tokens. */
export interface StreamingPolicy {
  readonly kind: 'streaming';
}
/** Keeps keys of low L2 norm (arXiv 2406.11430): needs the keys only. */
export interface KnormPolicy {
  readonly kind: 'knorm';
}
/** Keeps keys least like the head's mean normalized key (KeyDiff, arXiv 2504.15364). */
export interface KeyDiffPolicy {
  readonly kind: 'keydiff';
}
/**
 * Keeps the highest scores the app accumulated (H2O-style attention sums, or SnapKV-style
 * scores from the last queries), one `Float32Array` of `kvHeads × seq` per layer, head-major.
 */
export interface AccumulatedPolicy {
  readonly kind: 'accumulated';
  readonly scores: readonly Float32Array[];
}
/**
 * The original rule: keep what scores above `threshold` under `of`. Heads disagree on how many
 * pass, but one attention mask serves every layer and head, so each row keeps the same count:
 * the most any row wants, at most the budget, at least sinks + window.
 */
export interface ThresholdPolicy {
  readonly kind: 'threshold';
  readonly threshold: number;
  readonly of: KnormPolicy | KeyDiffPolicy | AccumulatedPolicy;
}

/** A pruning policy. Higher scores are kept; sinks and the recent window always are. */
export type KvPolicy =
  StreamingPolicy | KnormPolicy | KeyDiffPolicy | AccumulatedPolicy | ThresholdPolicy;

/**
 * How kept keys are re-rotated. `'shift'` (A, the default) turns every kept key by S' − S so
 * distances to new tokens are unchanged; `'compact'` (B) turns each by (new slot − old slot)
 * so positions stay below the model's maximum. `'none'` leaves keys as they are: wrong for any
 * RoPE model, kept as the control that shows why re-rotation is needed.
 */
export type Rotation = 'shift' | 'compact' | 'none';

/** The shape of one cache: every layer `[1, kvHeads, seq, headDim]`. */
export interface KvShape {
  readonly layers: number;
  readonly kvHeads: number;
  readonly seq: number;
  readonly headDim: number;
}

/** What to keep. */
export interface PruneOptions {
  /** Tokens to keep per (layer, head): S', or the most for `threshold`. */
  readonly keep: number;
  readonly policy: KvPolicy;
  /** First tokens always kept (attention sinks). Default 4. */
  readonly sinks?: number;
  /** Last tokens always kept (the recent window, at least the last turn). Default 16. */
  readonly window?: number;
  /** Default `'shift'`. */
  readonly rotation?: Rotation;
}

/** Default attention sinks. */
export const DEFAULT_SINKS = 4;
/** Default recent window. */
export const DEFAULT_WINDOW = 16;

/** Options with defaults filled in, once checked. */
export interface CheckedPrune {
  readonly keep: number;
  readonly sinks: number;
  readonly window: number;
  readonly policy: KvPolicy;
  readonly rotation: Rotation;
}

function whole(value: number, name: string, min: number): void {
  check(Number.isInteger(value) && value >= min, `${name} must be an integer ≥ ${min}`);
}

/** Checks a shape and options against each other; throws `BAD_INPUT` before any work. */
export function checkPrune(shape: KvShape, options: PruneOptions): CheckedPrune {
  whole(shape.layers, 'layers', 1);
  whole(shape.kvHeads, 'kvHeads', 1);
  whole(shape.seq, 'seq', 1);
  whole(shape.headDim, 'headDim', 2);
  check(shape.headDim % 2 === 0, 'headDim must be even');
  const sinks = options.sinks ?? DEFAULT_SINKS;
  const window = options.window ?? DEFAULT_WINDOW;
  whole(sinks, 'sinks', 0);
  whole(window, 'window', 0);
  whole(options.keep, 'keep', 1);
  check(
    options.keep >= sinks + window,
    `the budget of ${options.keep} tokens is smaller than sinks (${sinks}) + window (${window})`,
  );
  check(options.keep <= shape.seq, `cannot keep ${options.keep} of ${shape.seq} tokens`);
  const rotation = options.rotation ?? 'shift';
  check(['shift', 'compact', 'none'].includes(rotation), `unknown rotation "${rotation}"`);
  checkPolicy(options.policy, shape);
  return { keep: options.keep, sinks, window, policy: options.policy, rotation };
}

function checkPolicy(policy: KvPolicy, shape: KvShape): void {
  switch (policy?.kind) {
    case 'streaming':
    case 'knorm':
    case 'keydiff':
      return;
    case 'accumulated': {
      const { scores } = policy;
      check(
        Array.isArray(scores) && scores.length === shape.layers,
        `accumulated scores need one array per layer (${shape.layers})`,
      );
      const want = shape.kvHeads * shape.seq;
      scores.forEach((s, i) =>
        check(
          s instanceof Float32Array && s.length === want,
          `accumulated scores of layer ${i} must be a Float32Array of kvHeads × seq = ${want}`,
        ),
      );
      return;
    }
    case 'threshold':
      check(Number.isFinite(policy.threshold), 'threshold must be a finite number');
      check(policy.of?.kind !== ('threshold' as string), 'a threshold cannot be of a threshold');
      checkPolicy(policy.of, shape);
      return;
    default:
      check(false, `unknown policy ${JSON.stringify((policy as { kind?: unknown })?.kind)}`);
  }
}

/** Whether slot `i` of `seq` is a sink or in the recent window. */
export function isProtected(i: number, seq: number, sinks: number, window: number): boolean {
  return i < sinks || i >= seq - window;
}
