/**
 * Runs of `remove attr[value eq "…"]` operations (how Okta and Entra drop group members one by
 * one) become one removal by value list. Applied one by one, each scanned the whole list: 1,000
 * such operations on a 5,000-member group held the event loop for seconds (issue 11); as one
 * list removal they cost one pass. The result is the same: each removes the values equal to its
 * literal, and removing nothing is not an error (RFC 7644 §3.5.2.2).
 */
import { isMultiValued } from './attribute-path.ts';
import type { PatchOperation } from './patch.ts';

const VALUE_EQ = /^\s*([A-Za-z][\w$-]*)\s*\[\s*value\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\]\s*$/i;

interface Removal { attr: string; value: string }

function removal(operation: PatchOperation): Removal | null {
  if (operation.op.toLowerCase() !== 'remove' || operation.value !== undefined || !operation.path) return null;
  const match = VALUE_EQ.exec(operation.path);
  if (!match || !isMultiValued(match[1]!)) return null;
  try {
    return { attr: match[1]!, value: JSON.parse(`"${match[2]}"`) as string };
  } catch {
    return null; // a malformed literal: left for the filter parser to report
  }
}

/** The operations, each run of 2+ value-eq removals on one attribute merged, in order; `number`
 * is the 1-based position of the (last) original operation, for error messages. */
export function coalesceRemovals(operations: PatchOperation[]): Array<{ operation: PatchOperation; number: number }> {
  const out: Array<{ operation: PatchOperation; number: number }> = [];
  let run: { attr: string; values: string[]; first: PatchOperation; number: number } | null = null;
  const flush = () => {
    if (!run) return;
    const merged = { op: 'remove', path: run.attr, value: run.values.map((value) => ({ value })) };
    out.push({ operation: run.values.length === 1 ? run.first : merged, number: run.number });
    run = null;
  };
  operations.forEach((operation, i) => {
    const r = removal(operation);
    if (r && run && run.attr.toLowerCase() === r.attr.toLowerCase()) { run.values.push(r.value); run.number = i + 1; return; }
    flush();
    if (r) run = { attr: r.attr, values: [r.value], first: operation, number: i + 1 };
    else out.push({ operation, number: i + 1 });
  });
  flush();
  return out;
}
