/**
 * Texts for the retrieval bench's vectors, which have none: each vector's text names its
 * largest components, one word per dimension (`d17`), so the text half of a hybrid search
 * agrees in part with the vector half, as a real text agrees in part with its embedding. A
 * query's words are its three largest components; a stored vector's, its six.
 */

/** Words of a stored vector's text and of a query's term. */
export const TEXT_WORDS = { stored: 6, query: 3 } as const;

/**
 * The text of one vector: its `count` largest components as words, largest first.
 *
 * @example
 * textOf(new Float32Array([0.1, 0.9, -0.3, 0.5]), 2); // 'd1 d3'
 */
export function textOf(vector: Float32Array, count: number): string {
  const top: number[] = [];
  for (let d = 0; d < vector.length; d++) {
    if (top.length < count || vector[d]! > vector[top.at(-1)!]!) {
      top.push(d);
      top.sort((a, b) => vector[b]! - vector[a]!);
      if (top.length > count) top.pop();
    }
  }
  return top.map((d) => `d${d}`).join(' ');
}
