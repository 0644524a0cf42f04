/**
 * The reopen bench's figures, as written to its JSON and read by the report: every round of
 * every reopen, and the ratios of the naive peer over memkeeper within the same run.
 */

/** p50 / p95 of recall on the bench's questions after the first. */
export interface RecallLatency {
  p50: number;
  p95: number;
  n: number;
}

/** One cold reopen of memkeeper: createMemory, the first recall, then recall latency. */
export interface ReopenRound {
  label: 'plain' | 'encrypted';
  round: number;
  openMs: number;
  firstRecallMs: number;
  totalMs: number;
  items: number;
  backend: string;
  pass: boolean;
  recallMs: RecallLatency;
}

/** One cold reopen of the naive peer: open + read every record, first recall, then latency. */
export interface NaiveReopen {
  round: number;
  vectorType: string;
  items: number;
  openMs: number;
  firstRecallMs: number;
  totalMs: number;
  recalled: number;
  recallMs: RecallLatency;
}

/** Naive over memkeeper (plain), both on their second, warm-code round: >1 means memkeeper is faster. */
export interface Comparison {
  peer: string;
  items: number;
  memkeeperTotalMs: number;
  peerTotalMs: number;
  /** peer / memkeeper, reopen + first recall. */
  reopenRatio: number;
  memkeeperRecallP50: number;
  peerRecallP50: number;
  /** peer / memkeeper, recall p50. */
  recallRatio: number;
}

export interface ReopenFigures {
  browser: string;
  items: number;
  targetMs: number;
  builds: { system: string; buildMs: number }[];
  parts: Record<string, number | string>[];
  reopen: ReopenRound[];
  naive: NaiveReopen[];
  comparison: Comparison[];
  disk: { label: string; items: number; bytes: number }[];
  observe: {
    turns: number;
    perSecond: number;
    p50Ms: number;
    p95Ms: number;
    settledMs: number;
  } | null;
  /** Targets missed and steps that failed. */
  failed: string[];
}

/** The last round of each: module code compiled, data read cold from IndexedDB. */
export function compare(f: Pick<ReopenFigures, 'reopen' | 'naive'>): Comparison[] {
  const mine = f.reopen.filter((r) => r.label === 'plain').at(-1);
  if (!mine) return [];
  const types = [...new Set(f.naive.map((r) => r.vectorType))];
  return types.flatMap((type) => {
    const peer = f.naive.filter((r) => r.vectorType === type).at(-1);
    if (!peer) return [];
    return [
      {
        peer: `naive IndexedDB + JS cosine, ${type}`,
        items: peer.items,
        memkeeperTotalMs: mine.totalMs,
        peerTotalMs: peer.totalMs,
        reopenRatio: peer.totalMs / mine.totalMs,
        memkeeperRecallP50: mine.recallMs.p50,
        peerRecallP50: peer.recallMs.p50,
        recallRatio: peer.recallMs.p50 / mine.recallMs.p50,
      },
    ];
  });
}

/** The comparison as lines for the console. */
export function formatComparison(rows: readonly Comparison[]): string {
  return rows
    .map(
      (c) =>
        `vs ${c.peer} at ${c.items}: reopen + first recall ${c.peerTotalMs.toFixed(0)} ms vs ` +
        `${c.memkeeperTotalMs.toFixed(0)} ms (${c.reopenRatio.toFixed(1)}x); recall p50 ` +
        `${c.peerRecallP50.toFixed(2)} ms vs ${c.memkeeperRecallP50.toFixed(2)} ms (${c.recallRatio.toFixed(1)}x)`,
    )
    .join('\n');
}
