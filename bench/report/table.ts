/** Small formatting helpers of the report page: an HTML table, numbers and percentages. */
import { esc } from './svg.js';

export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export const num = (x: number | null | undefined, digits = 2): string =>
  x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits);

/** `8.3×`, or a dash when there is no ratio. */
export const ratio = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x)
    ? '–'
    : `${x.toFixed(x < 1 ? 2 : x < 10 ? 1 : 0)}×`;

/**
 * An HTML table of text cells, escaped.
 *
 * @example
 * table(['system', 'ms'], [['memkeeper', '0.7']]);
 */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}
