/**
 * One progress bar for a model download that transformers.js reports file by file. Files are
 * announced as they start, so a plain loaded/total ratio jumps back each time a new file is
 * counted; this folds them into one fraction that never goes back, measured against the
 * larger of what the files say and the model's known download size.
 */
import type { LoadProgress } from './types.js';

/** transformers.js's progress events (its `ProgressInfo`), as far as they are read here. */
export type ModelProgressEvent =
  | {
      readonly status: 'initiate' | 'download' | 'done';
      readonly name: string;
      readonly file: string;
    }
  | {
      readonly status: 'progress';
      readonly name: string;
      readonly file: string;
      readonly loaded: number;
      readonly total: number;
    }
  | { readonly status: 'progress_total'; readonly loaded: number; readonly total: number }
  | { readonly status: 'ready'; readonly model: string; readonly task?: string };

/** Megabytes as the Hub lists file sizes (10^6 bytes). */
const MB = 1e6;

function mb(bytes: number): string {
  return bytes >= 10 * MB ? (bytes / MB).toFixed(0) : (bytes / MB).toFixed(1);
}

/**
 * Aggregates the events of one model's files into `LoadProgress`, within `[from, to]` of the
 * whole load (the rest is left for compiling and warming up).
 *
 * @example
 * const bar = new DownloadProgress(137 * 1024 * 1024, onProgress, [0, 0.95]);
 * await AutoModelForCausalLM.from_pretrained(id, { progress_callback: (e) => bar.read(e) });
 */
export class DownloadProgress {
  private readonly files = new Map<string, { loaded: number; total: number; done: boolean }>();
  private shown = 0;

  constructor(
    private readonly expectedBytes: number,
    private readonly report: (progress: LoadProgress) => void,
    private readonly span: readonly [number, number] = [0, 1],
  ) {}

  /** The fraction shown last (0..1 of the whole load). */
  get progress(): number {
    return this.shown;
  }

  /** Reads one event; reports when it says something new. */
  read(event: ModelProgressEvent): void {
    if (event.status === 'progress_total' || event.status === 'ready') return;
    const file = this.files.get(event.file) ?? { loaded: 0, total: 0, done: false };
    this.files.set(event.file, file);
    let detail: string;
    if (event.status === 'progress') {
      file.loaded = Math.max(file.loaded, event.loaded);
      file.total = Math.max(file.total, event.total, file.loaded);
      detail = `Downloading ${event.file} (${mb(file.loaded)} / ${mb(file.total)} MB)`;
    } else if (event.status === 'done') {
      file.done = true;
      file.loaded = file.total = Math.max(file.total, file.loaded);
      detail = `Loaded ${event.file}`;
    } else {
      detail = `Fetching ${event.file}`;
    }
    this.emit(detail);
  }

  /** Moves the bar to `fraction` of the whole load (clamped, never back) with `detail`. */
  step(fraction: number, detail: string): void {
    this.shown = Math.min(1, Math.max(this.shown, fraction));
    this.report({ progress: this.shown, detail });
  }

  private emit(detail: string): void {
    let loaded = 0;
    let total = 0;
    for (const f of this.files.values()) {
      loaded += f.loaded;
      total += f.total;
    }
    const whole = Math.max(total, this.expectedBytes, 1);
    const [from, to] = this.span;
    const fraction = from + (to - from) * Math.min(1, loaded / whole);
    const overall = total > 0 ? ` — ${mb(loaded)} of ~${mb(whole)} MB` : '';
    this.step(fraction, `${detail}${overall}`);
  }
}
