/**
 * The verdict at the top of a leaver's page, in one sentence an auditor can quote: when the app
 * change happened, how long after the IdP's request (and which token sent it), whether the run
 * read the user back, and whether its evidence verifies.
 */
import type { AuditChange } from '../../core/audit/schema.ts';
import type { RunRecordView } from '../admin/runs.ts';
import { seconds } from './audit-page.ts';
import { html, utc, type Html } from './html.ts';
import type { ConsoleRunEvidence } from './services.ts';

export interface VerdictInput {
  appName: string;
  /** The user's changes, newest first. */
  changes: AuditChange[];
  /** The run that settled the latest deprovisioning change, if known, and its evidence. */
  run: RunRecordView | null;
  evidence: ConsoleRunEvidence | null | undefined;
  targetMinutes: number;
  now?: number;
}

/** What the IdP asked, in its own words: "PATCH active=false", "DELETE". */
export function askedFor(change: AuditChange): string {
  const method = change.request.split(' ')[0] ?? 'request';
  return change.action === 'delete' ? method : `${method} active=false`;
}

function evidenceWords(run: RunRecordView | null, evidence: ConsoleRunEvidence | null | undefined): string {
  if (!run?.evidence) return 'no evidence recorded';
  if (evidence === undefined) return 'evidence not checked (no evidence reader)';
  if (evidence === null) return 'evidence unreadable';
  if (!evidence.sealed) return 'evidence not sealed';
  const bad = evidence.files.filter((f) => f.status !== 'verified').length + evidence.problems.length;
  return bad === 0 ? 'evidence verified' : `evidence NOT verified (${bad} problem(s))`;
}

function readBackWords(run: RunRecordView | null): string {
  if (!run || !('observedAfter' in run)) return 'not read back';
  const after = run.observedAfter as { status?: string } | null;
  return after === null || after?.status === 'deactivated' ? 'checked by read-back' : 'read back, but the app still shows the user';
}

/** The latest deprovisioning change decides; null when the user is no leaver. */
export function verdictText(input: VerdictInput): { kind: 'ok' | 'warn' | 'bad'; text: string } | null {
  const change = input.changes.find((c) => c.action === 'deactivate' || c.action === 'delete');
  // A reactivation after the leave makes the user no leaver any more.
  if (!change || input.changes[0]?.action === 'reactivate' || input.changes[0]?.action === 'create') return null;
  const who = `the IdP's ${askedFor(change)} (token ${change.tokenId})`;
  if (change.outcome === 'succeeded' && change.settledAt) {
    const verb = input.run?.action === 'deactivate' ? 'Deactivated in' : input.run?.action === 'none' ? 'Already gone from' : 'Removed from';
    const took = Date.parse(change.settledAt) - Date.parse(change.at);
    const over = took > input.targetMinutes * 60_000;
    const text = `${verb} ${input.appName} at ${utc(change.settledAt)}, ${seconds(took)} after ${who}, ${readBackWords(input.run)}, ${evidenceWords(input.run, input.evidence)}`;
    const clean = !over && text.includes('checked by read-back') && text.endsWith('evidence verified');
    return { kind: clean ? 'ok' : 'warn', text: over ? `${text}; over the ${input.targetMinutes} min target` : text };
  }
  const waited = (input.now ?? Date.now()) - Date.parse(change.at);
  if (change.outcome === 'failed') {
    return { kind: 'bad', text: `Not removed from ${input.appName}: ${who} at ${utc(change.at)} failed (${change.reason ?? 'error'}: ${change.error ?? 'no detail'})` };
  }
  const late = waited > input.targetMinutes * 60_000 ? `, over the ${input.targetMinutes} min target` : '';
  return { kind: late ? 'bad' : 'warn', text: `Removal from ${input.appName} pending: ${who} at ${utc(change.at)}, waiting ${seconds(waited)}${late}` };
}

export function verdictBlock(input: VerdictInput): Html | string {
  const verdict = verdictText(input);
  if (!verdict) return '';
  return html`<p class="verdict verdict-${verdict.kind}" role="status" aria-label="Verdict">${verdict.text}.</p>`;
}
