/**
 * The demo app's turn loop, as the responders' tests drive it: observe the user's turn, recall
 * for it, stream the responder's reply, observe the reply.
 */
import type { Session } from '../../src/index.js';
import type { Responder } from '../../demo/src/responders/types.js';

/** One turn through `responder`; resolves to the whole reply and the pieces it came in. */
export async function chatTurn(
  session: Session,
  responder: Responder,
  message: string,
  {
    userName,
    budgetTokens = 800,
    signal = new AbortController().signal,
  }: { userName?: string; budgetTokens?: number; signal?: AbortSignal } = {},
): Promise<{ reply: string; pieces: string[] }> {
  const turn = await session.observe({ role: 'user', content: message, name: userName });
  const recall = await session.recall(message, { budgetTokens });
  const pieces: string[] = [];
  for await (const piece of responder.reply({
    session: session.id,
    message,
    turnId: turn.id,
    recall,
    userName,
    signal,
  })) {
    pieces.push(piece);
  }
  const reply = pieces.join('');
  if (reply.trim()) await session.observe({ role: 'assistant', content: reply });
  return { reply, pieces };
}
