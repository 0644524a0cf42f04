/**
 * The Hugging Face Hub as the demo's specs see it: no network here, so a route answers one
 * repo's file URLs with a tiny model the project generates, as the Hub would serve them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from '@playwright/test';

/** The tiny model's file for a path of the repo: every onnx/*.onnx is its one model. */
function localFile(folder: string, file: string): string | undefined {
  const local = /^onnx\/[^/]+\.onnx$/.test(file)
    ? join(folder, 'onnx', 'model.onnx')
    : join(folder, file);
  return existsSync(local) ? local : undefined;
}

/**
 * Answers `repo`'s Hub URLs with the files in `folder` (byte ranges as the Hub does, 404 for
 * files it lacks and for any other repo); resolves to the list of files asked, growing.
 */
export async function serveHub(
  context: BrowserContext,
  repo: string,
  folder: string,
): Promise<string[]> {
  const hub = `https://huggingface.co/${repo}/resolve/main/`;
  const asked: string[] = [];
  await context.route('https://huggingface.co/**', async (route) => {
    const url = route.request().url();
    const file = url.startsWith(hub) ? url.slice(hub.length) : '';
    asked.push(file || url);
    const local = file ? localFile(folder, file) : undefined;
    if (!local) return route.fulfill({ status: 404, body: 'Entry not found' });
    const body = readFileSync(local);
    const headers = { 'access-control-allow-origin': '*', 'accept-ranges': 'bytes' };
    // transformers.js asks each file's size first with "Range: bytes=0-0".
    const range = /^bytes=(\d+)-(\d*)$/.exec(route.request().headers()['range'] ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : body.length - 1, body.length - 1);
      return route.fulfill({
        status: 206,
        body: body.subarray(start, end + 1),
        headers: { ...headers, 'content-range': `bytes ${start}-${end}/${body.length}` },
      });
    }
    return route.fulfill({
      status: 200,
      body,
      headers: { ...headers, 'content-length': String(body.length) },
    });
  });
  return asked;
}
