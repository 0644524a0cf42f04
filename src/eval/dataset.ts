/**
 * Eval datasets: the project's own JSON format (FORMAT.md beside this file) and the LoCoMo
 * release format, both read into one shape. Every refusal names the field that is wrong (and,
 * for broken JSON, the line and column), because the person fixing the file needs exactly that.
 */
import { parseLocomo } from './locomo.js';

/** One turn to replay through observe(). */
export interface EvalTurn {
  /** The dataset's own id; evidence refers to it. */
  id: string;
  speaker: string;
  role: 'user' | 'assistant';
  text: string;
  /** ms since the epoch. */
  at: number;
}

/** A question asked after the whole conversation was observed. */
export interface EvalQuestion {
  id: string;
  question: string;
  answer: string | undefined;
  /** Ids of the turns that hold the answer; empty when the dataset gives none. */
  evidence: string[];
  category: string;
}

export interface EvalConversation {
  id: string;
  turns: EvalTurn[];
  questions: EvalQuestion[];
}

/** A dataset read and checked, with what was forgiven on the way. */
export interface EvalDataset {
  format: 'memkeeper' | 'locomo';
  conversations: EvalConversation[];
  /** Lenient fixes and skipped pieces (unknown evidence ids, say), one line each. */
  warnings: string[];
}

/** A file the eval cannot read; the message names the field or the line. */
export class EvalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalInputError';
  }
}

/** Throws {@link EvalInputError} at `path` unless `ok`. */
export function need(ok: unknown, path: string, what: string): asserts ok {
  if (!ok) throw new EvalInputError(`${path}: ${what}`);
}

/**
 * Reads a dataset from JSON text, in either format (told apart by shape).
 *
 * @example
 * const data = parseDataset(readFileSync('locomo10.json', 'utf8'));
 * data.conversations[0]?.questions.length;
 */
export function parseDataset(text: string, source = 'input'): EvalDataset {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EvalInputError(`${source}: not JSON (${where(text, error)})`);
  }
  if (Array.isArray(json) || (isObject(json) && 'qa' in json && 'conversation' in json)) {
    return parseLocomo(Array.isArray(json) ? json : [json]);
  }
  need(isObject(json), source, 'expected an object with "conversations" or a LoCoMo array');
  need(
    Array.isArray(json.conversations),
    `${source}.conversations`,
    'missing: expected a list of conversations (or the LoCoMo format: a list of samples with "conversation" and "qa")',
  );
  const warnings: string[] = [];
  const conversations = json.conversations.map((c, i) =>
    ownConversation(c, `conversations[${i}]`, warnings),
  );
  need(conversations.length > 0, 'conversations', 'the list is empty');
  unique(
    conversations.map((c) => c.id),
    'conversations',
  );
  return { format: 'memkeeper', conversations, warnings };
}

/** A day after the last, for sessions that give no date: replays need increasing times. */
const DAY = 86_400_000;
/** Turns of a session without times are spaced this far apart. */
export const TURN_GAP_MS = 60_000;
/** Where undated conversations start: 2024-01-01 UTC. */
export const UNDATED_START = Date.UTC(2024, 0, 1);

function ownConversation(value: unknown, path: string, warnings: string[]): EvalConversation {
  need(isObject(value), path, 'expected an object');
  const id = text(value.id, `${path}.id`);
  need(Array.isArray(value.sessions), `${path}.sessions`, 'expected a list of sessions');
  need(value.sessions.length > 0, `${path}.sessions`, 'the list is empty');
  const turns: EvalTurn[] = [];
  const roles = new Map<string, EvalTurn['role']>();
  let clock = UNDATED_START;
  value.sessions.forEach((s, si) => {
    const sp = `${path}.sessions[${si}]`;
    need(isObject(s), sp, 'expected an object');
    need(Array.isArray(s.turns), `${sp}.turns`, 'expected a list of turns');
    const date = s.date === undefined ? undefined : time(s.date, `${sp}.date`);
    // A session starts at its date, or a day after the last turn when it has none.
    let at = date ?? (turns.length ? turns.at(-1)!.at + DAY : clock);
    s.turns.forEach((t, ti) => {
      const tp = `${sp}.turns[${ti}]`;
      need(isObject(t), tp, 'expected an object');
      const speaker = text(t.speaker, `${tp}.speaker`);
      const turnAt = t.at === undefined ? at : time(t.at, `${tp}.at`);
      const role = t.role === undefined ? roleOf(roles, speaker) : roleField(t.role, `${tp}.role`);
      turns.push({
        id: text(t.id, `${tp}.id`),
        speaker,
        role,
        text: text(t.text, `${tp}.text`),
        at: turnAt,
      });
      at = turnAt + TURN_GAP_MS;
    });
    clock = at;
  });
  unique(
    turns.map((t) => t.id),
    `${path} turn ids`,
  );
  const known = new Set(turns.map((t) => t.id));
  need(Array.isArray(value.questions), `${path}.questions`, 'expected a list of questions');
  const questions = value.questions.map((q, qi) => {
    const qp = `${path}.questions[${qi}]`;
    need(isObject(q), qp, 'expected an object');
    const evidence = evidenceList(q.evidence, `${qp}.evidence`, known, warnings);
    return {
      id: q.id === undefined ? `${id}/q${qi}` : text(q.id, `${qp}.id`),
      question: text(q.question, `${qp}.question`),
      answer: q.answer === undefined ? undefined : String(q.answer),
      evidence,
      category: q.category === undefined ? 'all' : String(q.category),
    };
  });
  return { id, turns, questions };
}

/**
 * Evidence as a list of turn ids, or one string of ids separated by `;`, `,` or spaces;
 * ids the conversation lacks are dropped with a warning rather than failing the whole file.
 */
function evidenceList(
  value: unknown,
  path: string,
  known: ReadonlySet<string>,
  warnings: string[],
): string[] {
  if (value === undefined || value === null) return [];
  const raw = typeof value === 'string' ? [value] : value;
  need(Array.isArray(raw), path, 'expected a list of turn ids');
  const ids = raw.flatMap((v, i) => {
    need(typeof v === 'string', `${path}[${i}]`, `expected a turn id string, got ${kind(v)}`);
    return v.split(/[;,\s]+/).filter(Boolean);
  });
  return [...new Set(ids)].filter((evidenceId) => {
    if (known.has(evidenceId)) return true;
    warnings.push(
      `${path}: ${JSON.stringify(evidenceId)} is no turn of this conversation; ignored`,
    );
    return false;
  });
}

function roleOf(roles: Map<string, EvalTurn['role']>, speaker: string): EvalTurn['role'] {
  // Without roles, the first speaker is the user and everyone else the assistant.
  let role = roles.get(speaker);
  if (!role) roles.set(speaker, (role = roles.size === 0 ? 'user' : 'assistant'));
  return role;
}

function roleField(value: unknown, path: string): EvalTurn['role'] {
  need(
    value === 'user' || value === 'assistant',
    path,
    `expected "user" or "assistant", got ${JSON.stringify(value)}`,
  );
  return value;
}

/** A non-empty string field. */
export function text(value: unknown, path: string): string {
  if (typeof value === 'number') return String(value);
  need(typeof value === 'string', path, `expected a string, got ${kind(value)}`);
  need(value.trim().length > 0, path, 'is empty');
  return value;
}

/** A date string or ms since the epoch. */
function time(value: unknown, path: string): number {
  const ms =
    typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  need(
    Number.isFinite(ms),
    path,
    `expected a date (ISO 8601 or ms since 1970), got ${JSON.stringify(value)}`,
  );
  return ms;
}

function unique(ids: readonly string[], path: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    need(!seen.has(id), path, `id ${JSON.stringify(id)} is used twice`);
    seen.add(id);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
}

/** `line 3, column 5` from a JSON.parse error (Node 20 gives a position, newer ones a line). */
function where(source: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = /line (\d+) column (\d+)/.exec(message);
  if (line) return `line ${line[1]}, column ${line[2]}: ${message}`;
  const position = /position (\d+)/.exec(message);
  if (!position) return message;
  const before = source.slice(0, Number(position[1]));
  const lines = before.split('\n');
  return `line ${lines.length}, column ${lines.at(-1)!.length + 1}: ${message}`;
}
