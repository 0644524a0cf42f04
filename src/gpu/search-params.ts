/**
 * The host side of `SearchParams` in shaders/common.wgsl: one record per dispatch, written into
 * a uniform buffer at a dynamic offset; and the 2-D folding of large dispatches.
 */
import { MemoryError } from '../errors.js';

/** Fields of `SearchParams`, in the order common.wgsl declares them (u32 each). */
export interface SearchParams {
  rows: number;
  rowBase: number;
  tileBase: number;
  tiles: number;
  rowVec4: number;
  queryVec4: number;
  maskWords: number;
  queryBase: number;
  queries: number;
  lists: number;
  k: number;
  segment: number;
  fanIn: number;
  outLists: number;
  total: number;
  tileStep: number;
}

const FIELDS: readonly (keyof SearchParams)[] = [
  'rows',
  'rowBase',
  'tileBase',
  'tiles',
  'rowVec4',
  'queryVec4',
  'maskWords',
  'queryBase',
  'queries',
  'lists',
  'k',
  'segment',
  'fanIn',
  'outLists',
  'total',
  'tileStep',
];

/** Bytes of one `SearchParams` (16 u32 fields). */
export const SEARCH_PARAMS_BYTES = 64;

/** Every field zero: a base to spread the fields a dispatch uses over. */
export const NO_PARAMS: Readonly<SearchParams> = Object.freeze(
  Object.fromEntries(FIELDS.map((f) => [f, 0])) as unknown as SearchParams,
);

/** Writes `params` into `words` at word `offset`. */
export function writeSearchParams(words: Uint32Array, offset: number, params: SearchParams): void {
  for (let i = 0; i < FIELDS.length; i++) words[offset + i] = params[FIELDS[i]!];
}

/**
 * `groups` workgroups as a grid the device accepts: up to `maxPerDimension` along x, the rest
 * in rows along y. Kernels undo this with `groupIndex` and skip the tail of the last row.
 *
 * @example
 * foldWorkgroups(70_000, 65_535); // [35000, 2]
 */
export function foldWorkgroups(groups: number, maxPerDimension: number): [number, number] {
  if (groups <= maxPerDimension) return [groups, 1];
  const y = Math.ceil(groups / maxPerDimension);
  if (y > maxPerDimension) {
    throw new MemoryError('BAD_INPUT', `${groups} workgroups exceed a 2-D dispatch`);
  }
  return [Math.ceil(groups / y), y];
}
