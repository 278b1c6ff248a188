/**
 * A user's timeline, oldest first: the SCIM requests that changed the user, the runs that carried
 * them out, and each run's steps with their screenshots and each file's verification status.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditChange } from '../../core/audit/schema.ts';
import type { StoredConnection } from '../../core/connections/schema.ts';
import { DEFAULT_DEPROVISION_TARGET_MINUTES } from '../../core/audit/view.ts';
import type { ProvisioningState } from '../../core/provisioning/state.ts';
import { auditStore } from '../admin/audit.ts';
import type { RunRecordView } from '../admin/runs.ts';
import { runField } from './connections-page.ts';
import { errorPage } from './errors.ts';
import { badge, href, html, time, withQuery, type Html } from './html.ts';
import { csrfField, emptyState, page } from './layout.ts';
import type { ConsoleRunEvidence, ConsoleStep } from './services.ts';
import type { ConsoleSession } from './session.ts';
import { verdictBlock } from './verdict.ts';

/** Runs shown on one timeline (newest kept). */
const MAX_RUNS = 50;

type Entry = { at: string; kind: 'request'; request: string; requestId: string; tokenId: string } | { at: string; kind: 'run'; run: RunRecordView };

function fileLink(runId: string, file: ConsoleRunEvidence['files'][number] | undefined, name: string): Html {
  const url = href('evidence', runId, name);
  const status = file ? badge(file.status) : badge('missing');
  if (name.endsWith('.png')) {
    return html`<figure class="shot"><a href="${url}" data-lightbox aria-label="Open screenshot ${name} full size">
      <img src="${url}" alt="Screenshot ${name}" loading="lazy" width="240"></a>
      <figcaption><span class="mono">${name}</span> ${status}${file?.detail ? html`<span class="sub">${file.detail}</span>` : ''}</figcaption></figure>`;
  }
  return html`<p class="file"><a href="${url}">${name}</a> ${status}${file?.detail ? html` <span class="sub">${file.detail}</span>` : ''}</p>`;
}

function stepItem(runId: string, step: ConsoleStep, evidence: ConsoleRunEvidence): Html {
  const files = new Map(evidence.files.map((f) => [f.name, f]));
  return html`<li class="step step-${step.outcome}${step.parent === null ? '' : ' nested'}">
    <div class="step-head"><span class="step-index">${step.index}</span> <strong>${step.name}</strong> ${badge(step.outcome)}
      <span class="sub">${durationText(step.startedAt, step.endedAt)}${step.url ? html` · <span class="mono">${step.url}</span>` : ''}</span></div>
    ${step.error ? html`<pre class="step-error">${step.error}</pre>` : ''}
    ${step.notes.length > 0 ? html`<ul class="notes">${step.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
    ${step.files.length > 0 ? html`<div class="shots">${step.files.map((name) => fileLink(runId, files.get(name), name))}</div>` : ''}
  </li>`;
}

/** `open`: the steps start unfolded (the newest run, and failed ones). */
export function evidenceBlock(run: RunRecordView, evidence: ConsoleRunEvidence | undefined | null, open: boolean): Html {
  if (!run.evidence) return html`<p class="muted">This run recorded no evidence folder.</p>`;
  if (evidence === undefined) return html`<p class="muted">Evidence cannot be read by this gateway (no evidence reader configured).</p>`;
  if (evidence === null) return html`<p class="notice notice-error">The evidence of this run could not be read.</p>`;
  if (!evidence.sealed) return html`<p class="muted">Evidence not sealed yet (run in progress or interrupted): ${evidence.files.length} file(s) so far.</p>`;
  const inSteps = new Set(evidence.steps.flatMap((s) => s.files));
  const loose = evidence.files.filter((f) => !inSteps.has(f.name));
  const bad = evidence.files.filter((f) => f.status !== 'verified').length + evidence.problems.length;
  return html`<p class="verify">${bad === 0 ? badge('verified') : badge('tampered')} ${bad === 0
    ? `All ${evidence.files.length} file(s) match the sealed manifest (chain sequence ${evidence.sequence ?? '?'}).`
    : `${bad} problem(s) with this run's evidence.`}</p>
    ${evidence.problems.length > 0 ? html`<ul class="problems">${evidence.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
    <details class="run-steps"${open ? html` open` : ''}><summary>${evidence.steps.length} step(s), ${evidence.files.filter((f) => f.name.endsWith('.png')).length} screenshot(s)</summary>
    <ol class="steps">${evidence.steps.map((s) => stepItem(run.runId, s, evidence))}</ol>
    ${loose.length > 0 ? html`<div class="loose"><p class="sub">Files outside any step:</p>${loose.map((f) => fileLink(run.runId, f, f.name))}</div>` : ''}</details>`;
}

function runCard(run: RunRecordView, evidence: ConsoleRunEvidence | undefined | null, newest: boolean): Html {
  const action = runField(run, 'action');
  const reason = runField(run, 'reason');
  const error = runField(run, 'error');
  const why = runField(run, 'why');
  return html`<li class="event event-run" id="${run.runId}">
    <div class="event-head"><span class="event-kind">Run</span> ${badge(run.status)} <strong>${action ?? runField(run, 'task') ?? 'converge'}</strong>
      ${why ? html`<span class="sub">(${why})</span>` : ''} ${batchNote(run)} ${time(run.startedAt)}
      <span class="sub">${durationText(run.startedAt, runField(run, 'endedAt'))} · attempt ${String(run.attempt ?? 1)} · <span class="mono">${run.runId}</span></span></div>
    ${reason || error ? html`<p class="run-error"><span class="mono">${reason ?? 'error'}</span>: ${error ?? ''}</p>` : ''}
    ${evidenceBlock(run, evidence, newest || run.status !== 'succeeded')}
  </li>`;
}

/** A batch invite: the run that sent it says so; the others link to it (its evidence has the dialog). */
function batchNote(run: RunRecordView): Html | string {
  const batch = run.batch as { runId?: unknown; userId?: unknown; size?: unknown } | undefined;
  if (typeof batch?.runId !== 'string' || typeof batch.userId !== 'string' || typeof batch.size !== 'number') return '';
  if (batch.runId === run.runId) return html`<span class="sub">(one batch invite of ${String(batch.size)} users)</span>`;
  return html`<span class="sub">(invited in a batch of ${String(batch.size)} sent by
    <a class="mono" href="${href('connections', run.connectionId, 'users', batch.userId)}#${batch.runId}">${batch.runId}</a>; this run read the user back)</span>`;
}

/** The verdict of the latest deprovisioning, from the run that settled it and that run's evidence. */
async function leaverVerdict(app: FastifyInstance, connection: StoredConnection, changes: AuditChange[], runs: RunRecordView[], byRun: Map<string, ConsoleRunEvidence | null | undefined>) {
  const leave = changes.find((c) => c.action === 'deactivate' || c.action === 'delete');
  const run = leave?.runId ? (runs.find((r) => r.runId === leave.runId) ?? (await app.scimwright.runs?.get(leave.runId)) ?? null) : null;
  const reader = app.scimwright.evidence;
  let evidence: ConsoleRunEvidence | null | undefined;
  if (run && byRun.has(run.runId)) evidence = byRun.get(run.runId);
  else if (run?.evidence && reader) evidence = await reader.inspectRun(run.evidence.dir).catch(() => null);
  return verdictBlock({
    appName: app.scimwright.connectors.get(connection.connector)?.name ?? connection.connector, changes, run, evidence,
    targetMinutes: connection.settings.deprovisionTargetMinutes ?? DEFAULT_DEPROVISION_TARGET_MINUTES,
  });
}

/** A SCIM request: what it changed (old → new) and which token (IdP) sent it. */
function requestItem(e: { at: string; request: string; requestId: string; tokenId: string }, change: AuditChange | undefined): Html {
  const diffs = change?.changes ?? [];
  return html`<li class="event event-request"><div class="event-head"><span class="event-kind">SCIM</span> <strong class="mono">${e.request}</strong> ${time(e.at)}
    <span class="sub">sent by token <span class="mono">${e.tokenId}</span> (IdP) · request <span class="mono">${e.requestId}</span></span></div>
    ${diffs.length > 0 ? html`<ul class="diffs" aria-label="What it changed">${diffs.map((d) => html`<li><span class="mono">${d.field}</span> ${d.from ?? '∅'} → <strong>${d.to ?? '∅'}</strong></li>`)}</ul>` : ''}
    ${change ? html`<p class="sub">${change.action} · ${change.outcome}${change.reason ? ` (${change.reason})` : ''}</p>` : ''}</li>`;
}

function durationText(start: string | undefined, end: string | undefined): string {
  if (!start || !end) return 'still running';
  const ms = Date.parse(end) - Date.parse(start);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export async function timelineRoutes(app: FastifyInstance) {
  app.get<{ Params: { id: string; userId: string }; Querystring: { done?: string } }>('/connections/:id/users/:userId', async (request, reply) => {
    const session = request.consoleSession!;
    const { id, userId } = request.params;
    const connection = await app.scimwright.connections.get(id);
    const state = connection ? await app.scimwright.directory.provisioning.get(id, userId) : null;
    if (!connection || !state) return errorPage(reply, 404, 'Not found', `No user "${userId}" in connection "${id}".`, session);
    const history = await app.scimwright.directory.history(id, userId);
    const runs = (await app.scimwright.runs?.list(id, { userId, limit: MAX_RUNS })) ?? [];
    const reader = app.scimwright.evidence;
    const evidence = await Promise.all(runs.map((run) => (run.evidence && reader ? reader.inspectRun(run.evidence.dir).catch(() => null) : Promise.resolve(undefined))));
    const entries: Entry[] = [
      ...history.map((h) => ({ ...h, kind: 'request' as const })),
      ...runs.map((run) => ({ at: run.startedAt ?? '', kind: 'run' as const, run })),
    ].sort((a, b) => a.at.localeCompare(b.at));
    const byRun = new Map(runs.map((run, i) => [run.runId, evidence[i]]));
    const changes = await auditStore(app).ofUser(id, userId);
    const byRequest = new Map(changes.map((c) => [c.requestId, c]));
    const items = entries.map((e) => e.kind === 'request'
      ? requestItem(e, byRequest.get(e.requestId))
      : runCard(e.run, byRun.get(e.run.runId), e.run.runId === runs[0]?.runId));
    const verdict = await leaverVerdict(app, connection, changes, runs, byRun);
    const body = html`${verdict}${summaryBlock(id, userId, state, session)}
      <h2>Timeline <span class="sub">oldest first</span></h2>
      ${items.length === 0 ? emptyState('Nothing yet', 'No SCIM request or run is recorded for this user.') : html`<ol class="timeline">${items}</ol>`}
      ${runs.length === MAX_RUNS ? html`<p class="muted">Only the latest ${MAX_RUNS} runs are shown.</p>` : ''}
      <dialog id="lightbox" aria-label="Screenshot"><div class="bar"><span class="caption"></span>
        <span class="actions"><a class="button" data-original href="#" target="_blank" rel="noopener">Open original</a>
        <form method="dialog"><button aria-label="Close">Close ✕</button></form></span></div><img alt=""></dialog>`;
    return reply.type('text/html; charset=utf-8').send(page({
      title: state.userName ?? userId, section: 'connections', session,
      crumbs: [{ label: 'Connections', path: '/console/connections' }, { label: `Users of ${id}`, path: href('connections', id, 'users') }],
      ...(request.query.done === 'retry' ? { notice: { kind: 'ok' as const, text: 'Retry queued: the worker will converge this user again.' } } : {}),
    }, body));
  });
}

function summaryBlock(connectionId: string, userId: string, state: ProvisioningState, session: ConsoleSession): Html {
  const exportUrl = withQuery('/console/export.zip', { connectionId, userId });
  return html`<section class="summary" aria-label="Provisioning state">
    <dl class="kv">
      <dt>State</dt><dd>${badge(state.state)}${state.deleted ? html` <span class="sub">deleted in the IdP</span>` : ''}</dd>
      <dt>User id</dt><dd class="mono">${userId}</dd>
      <dt>Role in the app</dt><dd>${state.appRole ?? '—'}</dd>
      <dt>Changes applied</dt><dd>${state.appliedGeneration} of ${state.generation}</dd>
      <dt>Last change</dt><dd>${time(state.changedAt)}</dd>
      ${state.lastError ? html`<dt>Last error</dt><dd><span class="mono">${state.lastErrorReason ?? 'error'}</span>: ${state.lastError}</dd>` : ''}
    </dl>
    <div class="actions">
      <a class="button" href="${exportUrl}" download>Export this user's evidence</a>
      ${session.role === 'admin' ? html`<form method="post" action="${href('connections', connectionId, 'users', userId, 'retry')}">
        ${csrfField(session)}<button type="submit">Converge again</button></form>` : ''}
    </div>
  </section>`;
}
