/** What observe() takes and gives back, checked before anything is stored. */
import { check } from './errors.js';
import type { Role, TurnRecord } from './store/types.js';

/** A turn to observe. */
export interface TurnInput {
  role: Role;
  content: string;
  /** When it was said: ms since the epoch, a date string, or a Date (default: now). */
  at?: number | string | Date;
  /** The speaker's name. */
  name?: string;
}

/** A stored turn, as observe() resolves it. */
export interface Turn {
  id: string;
  session: string;
  role: Role;
  content: string;
  name?: string;
  at: number;
  tokens: number;
}

const ROLES: readonly Role[] = ['user', 'assistant', 'system', 'tool'];
/** The largest turn observe() takes; longer ones are indexed in passages, not refused. */
const MAX_TURN_CHARS = 16 * 1024 * 1024;

export function checkTurn(input: TurnInput, now: () => number) {
  check(
    input !== null && typeof input === 'object',
    'observe() takes { role, content, at?, name? }',
  );
  const { role, content, at, name } = input;
  check(ROLES.includes(role), `role must be one of ${ROLES.join(', ')}, got ${String(role)}`);
  check(typeof content === 'string', `content must be a string, got ${typeof content}`);
  check(content.trim().length > 0, 'content is empty or only whitespace: nothing to remember');
  check(content.length <= MAX_TURN_CHARS, `content is over ${MAX_TURN_CHARS} characters`);
  check(
    name === undefined || (typeof name === 'string' && name.trim().length > 0),
    'name must be a non-empty string',
  );
  return {
    role,
    content,
    at: toTime(at, now),
    ...(name === undefined ? {} : { name: name.trim() }),
  };
}

function toTime(at: TurnInput['at'], now: () => number): number {
  if (at === undefined) return now();
  const time = at instanceof Date ? at.getTime() : typeof at === 'string' ? Date.parse(at) : at;
  check(
    typeof time === 'number' && Number.isFinite(time),
    `at must be a timestamp or a date, got ${String(at)}`,
  );
  return time;
}

export function publicTurn(turn: TurnRecord): Turn {
  const { id, session, role, content, name, at, tokens } = turn;
  return { id, session, role, content, at, tokens, ...(name === undefined ? {} : { name }) };
}
