/**
 * userName look-alikes (issue 11, finding 8): the uniqueness index and `userName eq` lookups use
 * NFKC + lower case, so `ｆuzz@x` and `fuzz@x` are one user; characters that hide or reorder
 * text (controls, bidi overrides, zero-width) are refused outright.
 */
import { ScimError } from '../errors.ts';
import { codePoint } from './limits.ts';

// C0 and C1 controls (NUL, CR, LF, DEL, U+0085 …), bidi embeddings/overrides and isolates,
// zero-width space/non-joiner/joiner and the BOM.
const REFUSED = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200B-\u200D\uFEFF]/u;

/** Throws 400 invalidValue naming the first refused character as U+XXXX. */
export function checkUserName(userName: string): void {
  const found = REFUSED.exec(userName);
  if (!found) return;
  throw ScimError.badRequest('invalidValue', `userName must not contain ${codePoint(found[0])} (control, bidirectional or zero-width character) at position ${found.index}.`);
}

/** The key a userName is unique under: compatibility-normalised, then lower-cased. */
export function userNameKey(userName: string): string {
  return userName.normalize('NFKC').toLowerCase().normalize('NFKC');
}
