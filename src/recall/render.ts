/** How memories read in a prompt: every line carries its date and its speaker. */
import type { TurnRecord } from '../store/types.js';

/** `2024-03-01 10:02` (UTC), so that "when" questions can be answered from the context. */
export function formatDate(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ');
}

/** The speaker as a prompt shows it: the name when known, and the role. */
export function speaker(turn: Pick<TurnRecord, 'role' | 'name'>): string {
  return turn.name ? `${turn.name} (${turn.role})` : turn.role;
}

/** One turn (or a passage of one) as a context line. */
export function renderTurn(turn: Pick<TurnRecord, 'role' | 'name' | 'at'>, text: string): string {
  return `[${formatDate(turn.at)}] ${speaker(turn)}: ${text}`;
}
