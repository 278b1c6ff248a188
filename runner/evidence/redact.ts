/**
 * Removes secrets from text that goes into evidence (captured HTML, error messages, URLs, the
 * manifest). A secret can appear encoded, so each one is also looked for as it would be written in
 * a URL, in HTML, in a JSON string and in base64 — including base64 of a longer value that merely
 * contains the secret, such as an `Authorization: Basic` header (see base64Cores).
 */

export const REDACTED = '[REDACTED]';

/** Shorter base64 fragments would match unrelated text; secrets this short are matched as-is only. */
const MIN_BASE64_CORE = 6;

/**
 * Secrets shorter than this cannot be masked safely: as substrings they match ordinary text ("x" in
 * every hostname). The admin API refuses them (core/connections/schema.ts); one that is stored
 * anyway is matched only as a whole token (not touching a letter or digit), so text stays readable.
 */
export const MIN_MASKABLE_SECRET = 8;
const WORD_CHAR = '[\\p{L}\\p{N}]';

/** Every spelling of `secret` that redaction removes, longest first. */
export function secretVariants(secret: string): string[] {
  if (secret.trim() === '') return [];
  const uri = encodeURIComponent(secret);
  const variants = new Set<string>([
    secret,
    uri,
    uri.replace(/%20/g, '+'),
    uri.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    escapeHtml(secret),
    escapeHtml(secret).replace(/&#39;/g, '&#x27;'),
    JSON.stringify(secret).slice(1, -1),
    ...base64Cores(Buffer.from(secret, 'utf8')),
  ]);
  return [...variants].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * The base64 characters that depend on the secret's bytes alone, for each of the three positions
 * the secret can take relative to a base64 group, in the standard and URL-safe alphabets.
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64').replace(/=+$/, '');
    const skip = [0, 2, 3][offset] ?? 0;
    // A trailing partial group has a last character that also depends on what follows the secret.
    const drop = (offset + bytes.length) % 3 === 0 ? 0 : 1;
    const core = encoded.slice(skip, encoded.length - drop);
    if (core.length >= MIN_BASE64_CORE) cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Builds a redactor for a fixed set of secrets (compile once, apply to many strings). */
export function makeRedactor(secrets: readonly string[]): Redactor {
  const variants = [...new Set(secrets.flatMap(secretVariants))].sort((a, b) => b.length - a.length);
  const long = variants.filter((v) => v.length >= MIN_MASKABLE_SECRET);
  const pattern = variants.length > 0 ? new RegExp(variants.map(variantPattern).join('|'), 'gu') : undefined;
  const keyPattern = long.length > 0 ? new RegExp(long.map(escapeRegExp).join('|'), 'gu') : undefined;
  const redactor: Redactor = (text) => (pattern ? replaceRanges(text, matchedRanges(text, pattern)) : text);
  redactor.key = (key) => (keyPattern ? replaceRanges(key, matchedRanges(key, keyPattern)) : key);
  return redactor;
}

/**
 * Replaces secrets in text. `key` is for object keys: it removes only secrets long enough to mask
 * (a short one would rewrite field names such as `index`), so a key can only lose a real secret.
 */
export interface Redactor {
  (text: string): string;
  key?: (key: string) => string;
}

/**
 * Every stretch of `text` any variant covers, overlaps merged: with secrets "abcdefgh12" and
 * "gh12wxyz" in "abcdefgh12wxyz", a plain replace would stop after the first and leave "wxyz".
 */
function matchedRanges(text: string, pattern: RegExp): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const end = m.index + m[0].length;
    const last = ranges.at(-1);
    if (last && m.index <= last[1]) last[1] = Math.max(last[1], end);
    else ranges.push([m.index, end]);
    pattern.lastIndex = m.index + 1; // look for a secret starting inside this one too
  }
  return ranges;
}

function replaceRanges(text: string, ranges: Array<[number, number]>): string {
  if (ranges.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    out += text.slice(at, start) + REDACTED;
    at = end;
  }
  return out + text.slice(at);
}

function variantPattern(variant: string): string {
  const escaped = escapeRegExp(variant);
  return variant.length >= MIN_MASKABLE_SECRET ? escaped : `(?<!${WORD_CHAR})${escaped}(?!${WORD_CHAR})`;
}

/** `text` with every secret (and its encodings) replaced by [REDACTED]. */
export function redactText(text: string, secrets: readonly string[]): string {
  return makeRedactor(secrets)(text);
}

const INPUT_TAG = /<input\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
const PASSWORD_TYPE = /\stype\s*=\s*(["']?)password\1(?=[\s/>])/i;
const VALUE_ATTR = /\svalue\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+)/gi;

/**
 * Captured HTML without secrets: the `value` of every password input is dropped whatever it holds,
 * then every secret and its encodings are replaced. (page.content() serialises attributes, not what
 * was typed, but apps do mirror values into attributes.)
 */
export function redactHtml(html: string, secrets: readonly string[]): string {
  const withoutPasswords = html.replace(INPUT_TAG, (tag) => (PASSWORD_TYPE.test(tag) ? tag.replace(VALUE_ATTR, '') : tag));
  return redactText(withoutPasswords, secrets);
}

/**
 * Replaces secrets in every string value inside a JSON-like value. Keys are structure that schemas
 * read back (a secret "x" once turned `index` into `inde[REDACTED]` and made manifests
 * unsealable): they are left alone unless `redact.key` finds a maskable secret in one.
 */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact)) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[redact.key ? redact.key(key) : key] = redactDeep(item, redact);
  return out as T;
}
