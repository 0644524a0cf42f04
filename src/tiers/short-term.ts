import type { TurnRecord } from '../store/types.js';

/**
 * The short-term tier: the most recent turns that fit a token budget, oldest leaving first.
 *
 * @example
 * const window = new RecentWindow(1024);
 * const left = window.add(turn); // turns pushed out, for the mid-term tier
 */
export class RecentWindow {
  private readonly list: TurnRecord[] = [];
  private total = 0;

  /** @param budgetTokens the most tokens the window holds; a larger turn passes straight through. */
  constructor(readonly budgetTokens: number) {}

  /** The window's turns, oldest first. */
  get turns(): readonly TurnRecord[] {
    return this.list;
  }

  /** Tokens of the turns in the window. */
  get tokens(): number {
    return this.total;
  }

  /** True when the turn with this id is in the window. */
  has(id: string): boolean {
    return this.list.some((turn) => turn.id === id);
  }

  /** Adds the newest turn and returns the turns that no longer fit, oldest first. */
  add(turn: TurnRecord): TurnRecord[] {
    this.list.push(turn);
    this.total += turn.tokens;
    const left: TurnRecord[] = [];
    while (this.total > this.budgetTokens) {
      const oldest = this.list.shift()!;
      this.total -= oldest.tokens;
      left.push(oldest);
    }
    return left;
  }

  /** Drops a turn (forget); returns whether it was there. */
  remove(id: string): boolean {
    const at = this.list.findIndex((turn) => turn.id === id);
    if (at < 0) return false;
    this.total -= this.list[at]!.tokens;
    this.list.splice(at, 1);
    return true;
  }
}
