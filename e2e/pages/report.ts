/**
 * How every check page hands its findings to its spec: the value of `run` as JSON in #result,
 * or `{ error }` with the stack, and #status set to 'done' or 'failed' once it settles. The page
 * only measures; the spec asserts.
 *
 * @example
 * reportTo(document, main);
 */
export function reportTo(page: Document, run: () => Promise<unknown>): void {
  const status = page.querySelector('#status')!;
  const result = page.querySelector('#result')!;
  run().then(
    (value) => {
      result.textContent = JSON.stringify(value);
      status.textContent = 'done';
    },
    (error: unknown) => {
      result.textContent = JSON.stringify({ error: String((error as Error)?.stack ?? error) });
      status.textContent = 'failed';
    },
  );
}
