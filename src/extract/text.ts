/**
 * Small text helpers for extraction: values and keys normalized so that two phrasings of one
 * thing compare equal ("Lisbon, Portugal." and "lisbon"), time expressions, and dates.
 */
import { foldedWords, priorWeight, stem } from '../embed/features.js';
import lexicon from './lexicon.json';

const MONTHS = lexicon.months;
const WEEKDAYS = lexicon.weekdays;
const MONTH = `(?:${MONTHS.join('|')}|${MONTHS.map((m) => m.slice(0, 3)).join('|')})\\.?`;
const WEEKDAY = `(?:${WEEKDAYS.join('|')})`;
const ORD = '(\\d{1,2})(?:st|nd|rd|th)?';

/**
 * A value as anchors compare it: accents folded, lowercase, punctuation dropped, a leading
 * article dropped, and only the first comma-separated part ("Lisbon, Portugal" → "lisbon").
 */
export function normalizeValue(text: string): string {
  const head = text.split(',')[0] ?? '';
  return foldedWords(head)
    .filter((w, i) => i > 0 || !['the', 'a', 'an', 'my', 'some'].includes(w))
    .join(' ');
}

/**
 * A key part: the content words of `text`, stemmed, joined by "-", at most `max` words
 * ("visiting the Louvre" → "visit-louvre"), so that inflections share a key.
 */
export function slug(text: string, max = 5): string {
  const words = foldedWords(text);
  const content = words.filter((w) => priorWeight(w) === 1);
  return (content.length > 0 ? content : words).slice(0, max).map(stem).join('-');
}

/** Future or present time expressions that make a plan a plan ("next Friday", "in May"). */
export const TIME_EXPRESSION = new RegExp(
  '\\b(?:(?:next|this|coming|on|by) (?:week(?:end)?|month|year|summer|winter|spring|fall|autumn|' +
    `${WEEKDAY}|morning|afternoon|evening|night)|tomorrow(?: (?:morning|afternoon|evening|night))?|` +
    `tonight|today|soon|later today|in (?:a|an|one|two|three|four|five|a few|\\d+) (?:days?|weeks?|months?|years?)|` +
    `${WEEKDAY}|in ${MONTH}(?: \\d{4})?|on (?:the )?${ORD}(?: of)? ${MONTH}|on ${MONTH} ${ORD})\\b`,
  'i',
);

const OPENS_WITH_TIME = new RegExp(
  `^(?:(?:on|at|in|by|scheduled for|set for|the) )*(?:\\d+(?:st|nd|rd|th)?|${MONTH}|${WEEKDAY}|next|this|tomorrow|tonight|today|coming|soon|later)\\b`,
  'i',
);

/** True when `text` opens with a date or time ("next Friday", "on the 3rd", "May 4"). */
export function startsWithTime(text: string): boolean {
  return OPENS_WITH_TIME.test(text.trim());
}

/** The first time expression in `text`, lowercased, or undefined. */
export function timeIn(text: string): string | undefined {
  return TIME_EXPRESSION.exec(text)?.[0].toLowerCase();
}

/** `text` without its time expressions, for keys that must not change when a plan moves. */
export function withoutTime(text: string): string {
  return text.replace(new RegExp(TIME_EXPRESSION.source, 'gi'), ' ').replace(/\s+/g, ' ').trim();
}

// Capture indexes per form; a form without `month` names its month in words.
const DATE_FORMS: { re: RegExp; day: number; year: number; month?: number }[] = [
  { re: new RegExp(`\\b${MONTH} ${ORD}(?:,? (\\d{4}))?\\b`, 'i'), day: 1, year: 2 },
  {
    re: new RegExp(`\\b(?:the )?${ORD}(?: of)? ${MONTH}(?:,? (\\d{4}))?\\b`, 'i'),
    day: 1,
    year: 2,
  },
  { re: /\b(\d{4})-(\d{2})-(\d{2})\b/, year: 1, month: 2, day: 3 },
];

/**
 * Finds a calendar date and returns it as "MM-DD" or "YYYY-MM-DD", so that "March 3rd",
 * "3 March" and "the 3rd of March" agree; a bare year becomes "YYYY".
 *
 * @example
 * normalizeDate('on the 3rd of March, 1990'); // "1990-03-03"
 */
export function normalizeDate(text: string): string | undefined {
  for (const form of DATE_FORMS) {
    const m = form.re.exec(text);
    if (!m) continue;
    const month = form.month !== undefined ? Number(m[form.month]) : monthNumber(m[0]);
    const day = Number(m[form.day]);
    if (!month || !day || day > 31 || month > 12) continue;
    const year = m[form.year];
    const mmdd = `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    return year ? `${year}-${mmdd}` : mmdd;
  }
  return /\b(?:19|20)\d{2}\b/.exec(text)?.[0];
}

function monthNameIn(text: string): string | undefined {
  return new RegExp(MONTH, 'i').exec(text)?.[0];
}

function monthNumber(text: string): number {
  const name = monthNameIn(text)?.toLowerCase().replace('.', '');
  if (!name) return 0;
  return MONTHS.findIndex((m) => m.startsWith(name.slice(0, 3))) + 1;
}
