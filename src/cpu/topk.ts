/**
 * A bounded best-k list, kept sorted by score descending then row ascending. Rows must be
 * offered in ascending order: an equal score never displaces an earlier row.
 */
export class TopK {
  readonly rows: Int32Array;
  readonly scores: Float64Array;
  count = 0;

  constructor(readonly k: number) {
    this.rows = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  /** The score a new row must beat to enter, -Infinity while not full. */
  get threshold(): number {
    return this.count < this.k ? -Infinity : this.scores[this.k - 1]!;
  }

  reset(): void {
    this.count = 0;
  }

  offer(row: number, score: number): void {
    if (this.count === this.k && !(score > this.scores[this.k - 1]!)) return;
    let i = this.count < this.k ? this.count++ : this.k - 1;
    while (i > 0 && this.scores[i - 1]! < score) {
      this.scores[i] = this.scores[i - 1]!;
      this.rows[i] = this.rows[i - 1]!;
      i--;
    }
    this.scores[i] = score;
    this.rows[i] = row;
  }

  /** Copies the list into `rows`/`scores` at `offset`, padding with -1 / -Infinity. */
  writeTo(rows: Int32Array, scores: Float32Array, offset: number): void {
    for (let j = 0; j < this.k; j++) {
      const have = j < this.count;
      rows[offset + j] = have ? this.rows[j]! : -1;
      scores[offset + j] = have ? this.scores[j]! : -Infinity;
    }
  }
}
