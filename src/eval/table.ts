/** The eval's results as plain-text tables for a terminal. */
import type { EvalResult } from './run.js';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1));

/** Columns padded to their widest cell; numbers right-aligned. */
function grid(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  '),
    )
    .join('\n');
}

/**
 * Evidence recall per system and budget, then per category, then latency.
 *
 * @example
 * console.log(formatEval(await evaluate(data, options)));
 */
export function formatEval(result: EvalResult): string {
  const d = result.dataset;
  const out: string[] = [
    `${d.format} dataset: ${d.conversations} conversations, ${d.turns} turns, ` +
      `${d.questions} questions (${d.scored} with evidence, scored)`,
    '',
  ];
  const head = ['system', 'budget', 'any', 'all', 'tokens', 'recall p50', 'p95'];
  const rows = [head];
  for (const s of result.systems) {
    for (const b of s.budgets) {
      rows.push([
        s.name,
        String(b.budget),
        pct(b.overall.any),
        pct(b.overall.all),
        b.tokens.toFixed(0),
        `${ms(b.recallMs.p50)} ms`,
        `${ms(b.recallMs.p95)} ms`,
      ]);
    }
  }
  out.push('Evidence recall (any / all evidence turns in the context)', grid(rows), '');
  const categories = [
    ...new Set(result.systems.flatMap((s) => s.budgets.flatMap((b) => Object.keys(b.categories)))),
  ];
  if (categories.length > 1) {
    const catRows = [['system', 'budget', ...categories.map((c) => `${c} any/all`)]];
    for (const s of result.systems) {
      for (const b of s.budgets) {
        catRows.push([
          s.name,
          String(b.budget),
          ...categories.map((c) => {
            const h = b.categories[c];
            return h ? `${pct(h.any)}/${pct(h.all)} (${h.questions})` : '-';
          }),
        ]);
      }
    }
    out.push('Per category (questions in brackets)', grid(catRows), '');
  }
  const latRows = [['system', 'observe p50', 'p95', 'p99', 'settle']];
  for (const s of result.systems) {
    latRows.push([
      s.name,
      `${ms(s.observeMs.p50)} ms`,
      `${ms(s.observeMs.p95)} ms`,
      `${ms(s.observeMs.p99)} ms`,
      `${ms(s.settleMs)} ms`,
    ]);
  }
  out.push('observe() latency per turn; settle: background work waited for before questions');
  out.push(grid(latRows));
  if (result.warnings.length) {
    const shown = result.warnings.slice(0, 10);
    const more = result.warnings.length - shown.length;
    out.push('', `${result.warnings.length} warnings:`, ...shown.map((w) => `  ${w}`));
    if (more > 0) out.push(`  ... and ${more} more (all in the JSON)`);
  }
  return out.join('\n');
}
