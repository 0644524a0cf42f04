/**
 * A person's correction of an anchor: new text, a value that follows the edit, a new vector,
 * the lexical index updated; strength, pins, sources and times kept as they were.
 */
import { foldedWords } from './embed/features.js';
import { check } from './errors.js';
import { normalizeValue } from './extract/text.js';
import type { SessionState } from './session-state.js';
import type { Shared } from './shared.js';
import type { AnchorRecord } from './store/types.js';

/** The longest anchor text an edit takes: anchors are one sentence, not documents. */
export const MAX_ANCHOR_CHARS = 2000;

/**
 * The value an anchor has after its text was edited. Extraction writes a normalized value that
 * its text says in words ("The user lives in Lisbon." → `lisbon`), so:
 * - an entity keeps its value (it is the kind of entity, `person` or `place`, not in the text);
 * - an edit inside the words of the value replaces them ("Lisbon" → "Porto": `porto`), and one
 *   that leaves them alone (a typo elsewhere, an added ", Portugal") keeps the value, so that
 *   a later restatement still restates it rather than superseding it;
 * - any other edit makes the whole new text, normalized, the value.
 *
 * @example
 * editedValue({ kind: 'fact', value: 'lisbon', text: 'The user lives in Lisbon.' },
 *   'The user lives in Porto.'); // 'porto'
 */
export function editedValue(
  anchor: Pick<AnchorRecord, 'kind' | 'value' | 'text'>,
  text: string,
): string {
  if (anchor.kind === 'entity') return anchor.value;
  const old = foldedWords(anchor.text);
  const next = foldedWords(text);
  const value = foldedWords(anchor.value);
  let p = 0;
  while (p < old.length && p < next.length && old[p] === next[p]) p++;
  let s = 0;
  while (s < old.length - p && s < next.length - p && old.at(-1 - s) === next.at(-1 - s)) s++;
  const [from, to] = [p, old.length - s]; // the words of the old text that changed
  const growth = next.length - old.length;
  if (from === to && growth === 0) return anchor.value; // case or punctuation only
  const spans: number[] = []; // where the value's words stand in the old text
  for (let i = 0; value.length && i + value.length <= old.length; i++)
    if (value.every((w, j) => old[i + j] === w)) spans.push(i);
  // An insertion touches the value only strictly inside it; a change, where they overlap.
  const touches = (i: number) =>
    from === to ? from > i && from < i + value.length : from < i + value.length && to > i;
  const inside = spans.find((i) => touches(i) && from >= i && to <= i + value.length);
  if (inside !== undefined) {
    const words = next.slice(inside, inside + value.length + growth);
    if (words.length) return words.join(' ');
  } else if (spans.length && !spans.some(touches)) {
    return anchor.value; // the edit is beside the value
  }
  return normalizeValue(text) || text.trim().toLowerCase();
}

/**
 * Replaces an anchor's text (and value, see {@link editedValue}), with a new vector in the
 * store and the index and the lexical index updated, in one batch; the version is raised, and
 * a stale one (another tab wrote meanwhile) is re-read and applied again.
 *
 * @example
 * const anchor = await editAnchor(state, shared, 'chat/a3', 'The user lives in Porto.');
 */
export async function editAnchor(
  state: SessionState,
  shared: Shared,
  id: string,
  text: string,
): Promise<AnchorRecord> {
  const [vector] = await shared.embed([text]);
  return state.fresh([id], async () => {
    const anchor = state.long.get(id);
    check(anchor, `${id} is no longer an anchor of session ${state.id} (forgotten meanwhile)`);
    const value = editedValue(anchor, text);
    const version = anchor.version + 1;
    await state.write([
      { kind: 'anchor', put: { ...anchor, text, value, version } },
      ...state.vectorChanges([id], [vector!]),
    ]);
    Object.assign(anchor, { text, value, version });
    state.lexical.add(id, text);
    state.index([id], [vector!]);
    return anchor;
  });
}
