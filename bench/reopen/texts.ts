/**
 * The reopen bench's memories and questions, shared by memkeeper's steps and the naive peer's,
 * so that both hold the same texts and vectors and answer the same questions.
 */
const WORDS =
  'trains soup leeks Lisbon Berlin cat Pixel sister Ana job nurse tea coffee piano'.split(' ');

/** The i-th memory's text. */
export const say = (i: number): string =>
  `Turn ${i}: ${WORDS[i % WORDS.length]} and ${WORDS[(i * 7) % WORDS.length]}, item ${i} of the log.`;

/** The question of the first recall after a reopen. */
export const FIRST_QUESTION = 'where is the cat Pixel?';

/** The questions recall latency is timed on, after the first. */
export const QUESTIONS: readonly string[] = Array.from(
  { length: 30 },
  (_, i) => `what about ${WORDS[i % WORDS.length]} and ${WORDS[(i * 5 + 3) % WORDS.length]}?`,
);

/** Memories per write batch, and so per embed() call, when building. */
export const BATCH = 2048;

/** p50 and p95 of a list of times. */
export function percentiles(times: readonly number[]): { p50: number; p95: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}
