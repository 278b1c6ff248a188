/**
 * The shape of a stored user body's text, worked out once when it is written, so that a list page
 * can render 100 users by slicing their texts instead of parsing them (issue 13; render-text.ts).
 *
 * A body has a shape when it is laid out as buildUser writes it: one of the two `schemas` values
 * first, then `id`, and `meta` last and flat (no location or version yet), with no `groups` or
 * provisioning key of its own and no deeper nesting than the write bound. Stored bodies are
 * JSON.stringify output, which escapes `"` and `\` inside strings, so an unescaped `"` is always
 * structural, and these text checks say what a parse would.
 */
import { CORE_USER, ENTERPRISE_USER } from '../scim/attribute-path.ts';
import { MAX_DOCUMENT_DEPTH } from '../scim/limits.ts';
import { PROVISIONING_SCHEMA } from '../scim/schema-definitions.ts';

/** How a body with a shape starts: with core schema only, or with the enterprise extension too. */
export const SHAPE_HEADS = [`{"schemas":["${CORE_USER}"],"id":"`, `{"schemas":["${CORE_USER}","${ENTERPRISE_USER}"],"id":"`];
export const META_KEY = ',"meta":{';
/** Keys rendering adds: a body holding one already gets it replaced in place (no shape). */
const RENDERED_KEYS = ['"groups":', `"${PROVISIONING_SCHEMA}":`];

export interface Shape {
  /** Which of SHAPE_HEADS the body starts with. */
  head: number;
  /** Where META_KEY starts. */
  meta: number;
}

/** `length:head:meta` for a user body with a shape, else undefined. */
export function bodyShape(body: string): string | undefined {
  const head = SHAPE_HEADS.findIndex((h) => body.startsWith(h));
  if (head < 0) return undefined;
  const idEnd = body.indexOf('"', SHAPE_HEADS[head]!.length);
  const meta = body.lastIndexOf(META_KEY);
  if (idEnd < 0 || body.slice(0, idEnd).includes('\\') || meta < idEnd || !flatMeta(body, meta)) return undefined;
  if (RENDERED_KEYS.some((k) => body.includes(k)) || textTooDeep(body)) return undefined;
  return `${body.length}:${head}:${meta}`;
}

/**
 * The shape recorded beside a body, checked again in the cheap ways (length, head, flat meta at
 * its place), so that a body some other writer changed without the shape is never sliced.
 */
export function readShape(body: string, recorded: string | null | undefined): Shape | undefined {
  if (!recorded) return undefined;
  // Parsed by hand: this runs for every user of every page.
  const a = recorded.indexOf(':');
  const head = recorded.charCodeAt(a + 1) - 48;
  const meta = Number(recorded.slice(a + 3));
  const start = SHAPE_HEADS[head];
  if (Number(recorded.slice(0, a)) !== body.length || recorded.charCodeAt(a + 2) !== 58 || start === undefined) return undefined;
  return body.startsWith(start) && body.startsWith(META_KEY, meta) && flatMeta(body, meta) ? { head, meta } : undefined;
}

/** Whether `meta` at `at` is the body's last key and holds flat values, no location or version. */
function flatMeta(body: string, at: number): boolean {
  const from = at + META_KEY.length;
  // The first `}` after meta's `{` closes it and is the body's last but one character.
  return body.indexOf('}', from) === body.length - 2 && body.endsWith('}')
    && body.indexOf('{', from) < 0 && body.indexOf('[', from) < 0 && body.indexOf(']', from) < 0 && body.indexOf('\\', from) < 0
    && body.indexOf('"location":', from) < 0 && body.indexOf('"version":', from) < 0;
}

/**
 * Whether the JSON text nests deeper than the write bound (as tooDeep() on the parsed value).
 * Strings are skipped with indexOf, so the loop mostly sees the structure between them.
 */
export function textTooDeep(text: string, maxDepth = MAX_DOCUMENT_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) i = stringEnd(text, i);
    else if (c === 123 || c === 91) { if (++depth > maxDepth) return true; }
    else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** The index of the quote that closes the string opened at `open` (one not escaped by a backslash). */
function stringEnd(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  while (at > 0) {
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === 92) slashes++;
    if (slashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return text.length;
}
