/**
 * The LoCoMo release format (`locomo10.json`): a list of samples, each with a `conversation`
 * of `session_N` turn lists `{ speaker, dia_id, text }` and `session_N_date_time` strings such
 * as "1:56 pm on 8 May, 2023", and a `qa` list of `{ question, answer, evidence, category }`.
 * The release has rough edges, read leniently: evidence given as one string ("D8:6; D9:17"),
 * ids with leading zeros or stray spaces, ids of turns that do not exist (dropped, warned).
 */
import {
  EvalInputError,
  TURN_GAP_MS,
  UNDATED_START,
  isObject,
  kind,
  need,
  text,
  type EvalConversation,
  type EvalDataset,
  type EvalQuestion,
  type EvalTurn,
} from './dataset.js';

/** LoCoMo's category numbers, as its paper names them. */
export const LOCOMO_CATEGORIES: Readonly<Record<string, string>> = {
  '1': 'multi-hop',
  '2': 'temporal',
  '3': 'open-domain',
  '4': 'single-hop',
  '5': 'adversarial',
};

const DAY = 86_400_000;
const MONTHS = 'jan feb mar apr may jun jul aug sep oct nov dec'.split(' ');

/** Reads LoCoMo samples; see the module comment for what is forgiven. */
export function parseLocomo(samples: readonly unknown[]): EvalDataset {
  need(samples.length > 0, 'samples', 'the list is empty');
  const warnings: string[] = [];
  const conversations = samples.map((s, i) => sample(s, i, warnings));
  const ids = new Set<string>();
  for (const c of conversations) {
    if (ids.has(c.id)) throw new EvalInputError(`sample_id ${JSON.stringify(c.id)} is used twice`);
    ids.add(c.id);
  }
  return { format: 'locomo', conversations, warnings };
}

function sample(value: unknown, index: number, warnings: string[]): EvalConversation {
  const path = `[${index}]`;
  need(isObject(value), path, 'expected a sample object with "conversation" and "qa"');
  const id =
    value.sample_id === undefined ? `sample-${index}` : text(value.sample_id, `${path}.sample_id`);
  const conversation = value.conversation;
  need(
    isObject(conversation),
    `${path}.conversation`,
    `expected an object, got ${kind(conversation)}`,
  );
  const sessions = Object.keys(conversation)
    .map((key) => /^session_(\d+)$/.exec(key))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  need(sessions.length > 0, `${path}.conversation`, 'has no session_N lists');
  const speakers = [conversation.speaker_a, conversation.speaker_b].filter(
    (s): s is string => typeof s === 'string',
  );
  const turns: EvalTurn[] = [];
  const seen = new Set<string>();
  let clock = UNDATED_START;
  for (const n of sessions) {
    const sp = `${path}.conversation.session_${n}`;
    const list = conversation[`session_${n}`];
    need(Array.isArray(list), sp, `expected a list of turns, got ${kind(list)}`);
    const dateField = conversation[`session_${n}_date_time`];
    const date = typeof dateField === 'string' ? locomoDate(dateField) : undefined;
    if (date === undefined) {
      warnings.push(
        `${sp}_date_time: ${JSON.stringify(dateField)} is not a date; placed a day later`,
      );
    }
    let at = date ?? (turns.length ? turns.at(-1)!.at + DAY : clock);
    list.forEach((t, ti) => {
      const tp = `${sp}[${ti}]`;
      need(isObject(t), tp, 'expected { speaker, dia_id, text }');
      const speaker = text(t.speaker, `${tp}.speaker`);
      const turnId = diaId(text(t.dia_id, `${tp}.dia_id`)) ?? text(t.dia_id, `${tp}.dia_id`);
      need(!seen.has(turnId), `${tp}.dia_id`, `${JSON.stringify(turnId)} is used twice`);
      seen.add(turnId);
      if (!speakers.includes(speaker)) speakers.push(speaker);
      // Shared photos carry a caption in the release; it is what the other speaker saw.
      const caption = typeof t.blip_caption === 'string' ? ` [shares ${t.blip_caption}]` : '';
      const role = speakers.indexOf(speaker) === 0 ? 'user' : 'assistant';
      turns.push({ id: turnId, speaker, role, text: text(t.text, `${tp}.text`) + caption, at });
      at += TURN_GAP_MS;
    });
    clock = at;
  }
  need(
    Array.isArray(value.qa),
    `${path}.qa`,
    `expected a list of questions, got ${kind(value.qa)}`,
  );
  const questions = value.qa.map((q, qi) => question(q, `${path}.qa[${qi}]`, id, seen, warnings));
  return { id, turns, questions };
}

function question(
  value: unknown,
  path: string,
  conversation: string,
  known: ReadonlySet<string>,
  warnings: string[],
): EvalQuestion {
  need(isObject(value), path, 'expected { question, answer, evidence, category }');
  const answer = value.answer ?? value.adversarial_answer;
  const category = value.category === undefined ? 'all' : String(value.category);
  return {
    id: `${conversation}/${path.slice(path.lastIndexOf('.') + 1)}`,
    question: text(value.question, `${path}.question`),
    answer: answer === undefined ? undefined : String(answer),
    evidence: locomoEvidence(value.evidence, `${path}.evidence`, known, warnings),
    category: LOCOMO_CATEGORIES[category] ? `${category} ${LOCOMO_CATEGORIES[category]}` : category,
  };
}

/**
 * Evidence turn ids from a LoCoMo `evidence` field: a list of ids, of strings that hold several
 * ("D8:6; D9:17"), or one such string. Unknown ids are dropped with a warning.
 *
 * @example
 * locomoEvidence(['D8:6; D9:17', 'D1:03'], 'qa[0].evidence', known, []); // ['D8:6', 'D9:17', 'D1:3']
 */
export function locomoEvidence(
  value: unknown,
  path: string,
  known: ReadonlySet<string>,
  warnings: string[],
): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const ids: string[] = [];
  list.forEach((entry, i) => {
    if (typeof entry !== 'string') {
      warnings.push(`${path}[${i}]: ${kind(entry)} is no turn id; ignored`);
      return;
    }
    const found = [...entry.matchAll(/D\s*:?\s*(\d+)\s*:\s*(\d+)/gi)].map(
      (m) => `D${+m[1]!}:${+m[2]!}`,
    );
    if (!found.length && entry.trim())
      warnings.push(`${path}[${i}]: ${JSON.stringify(entry)} holds no dia_id; ignored`);
    ids.push(...found);
  });
  return [...new Set(ids)].filter((id) => {
    if (known.has(id)) return true;
    warnings.push(`${path}: ${id} is no turn of this conversation; ignored`);
    return false;
  });
}

/** `D3:07` → `D3:7`; undefined when it does not look like a dia_id. */
function diaId(value: string): string | undefined {
  const m = /^\s*D\s*:?\s*(\d+)\s*:\s*(\d+)\s*$/i.exec(value);
  return m ? `D${+m[1]!}:${+m[2]!}` : undefined;
}

/**
 * `"1:56 pm on 8 May, 2023"` → ms (UTC), also `"8 May 2023"`; anything else through
 * `Date.parse`; undefined when neither reads it.
 */
export function locomoDate(value: string): number | undefined {
  const m = /(?:(\d{1,2}):(\d{2})\s*([ap]m)\s*on\s*)?(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})/i.exec(
    value,
  );
  const month = m ? MONTHS.indexOf(m[5]!.slice(0, 3).toLowerCase()) : -1;
  if (m && month >= 0) {
    let hour = m[1] ? Number(m[1]) % 12 : 0;
    if (m[3]?.toLowerCase() === 'pm') hour += 12;
    return Date.UTC(Number(m[6]), month, Number(m[4]), hour, Number(m[2] ?? 0));
  }
  const parsed = Date.parse(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
