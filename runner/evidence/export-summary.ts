/** SUMMARY.md of an evidence bundle: what an auditor reads first, in plain words. */
import type { Manifest } from './manifest.ts';
import type { BundleIndex, ExportPlan } from './export.ts';

export function bundleSummary(plan: ExportPlan, index: BundleIndex): string {
  const scope = describeSelection(plan);
  const lines = [
    '# scimwright evidence bundle',
    '',
    `Made ${index.createdAt} for ${scope}.`,
    `It holds ${plan.runs.length} sealed run(s) of ${Object.keys(index.chains).length} connection(s).`,
    '',
    '## Runs',
    '',
    ...(plan.runs.length === 0 ? ['No sealed run matched this selection.'] : plan.runs.flatMap((run) => describeRun(run.path, run.manifest))),
    '',
  ];
  if (plan.unsealed.length > 0 || plan.unreadable.length > 0) {
    lines.push('## Not included', '');
    for (const path of plan.unsealed) lines.push(`- ${path}: no manifest (a run in progress or cut short); it is not part of the chain.`);
    for (const path of plan.unreadable) lines.push(`- ${path}: its manifest could not be read; run \`scimwright evidence verify\` on the live trail.`);
    lines.push('');
  }
  lines.push(...HOW_TO_CHECK);
  return `${lines.join('\n')}\n`;
}

/** The email a run recorded for its user (its desired state), lower case. */
export function runEmail(trigger: Record<string, unknown>): string | undefined {
  const desired = trigger.desired as { email?: unknown } | undefined;
  return typeof desired?.email === 'string' ? desired.email.toLowerCase() : undefined;
}

/** A user as people know them: the email their runs recorded, with the SCIM id beside it. */
function userWords(userId: string, email: string | undefined): string {
  return email ? `${email} (SCIM user ${userId})` : `user ${userId}`;
}

function describeSelection(plan: ExportPlan): string {
  const { selection } = plan;
  const parts: string[] = [];
  if (selection.userId) {
    const run = plan.runs.find((r) => r.manifest.trigger.userId === selection.userId && runEmail(r.manifest.trigger));
    parts.push(userWords(selection.userId, run && runEmail(run.manifest.trigger)));
  }
  if (selection.connectionId) parts.push(`connection ${selection.connectionId}`);
  if (selection.from || selection.to) parts.push(`days ${selection.from ?? 'first'} to ${selection.to ?? 'last'} (UTC)`);
  return parts.length > 0 ? parts.join(', ') : 'every connection';
}

function describeRun(path: string, manifest: Manifest): string[] {
  const trigger = manifest.trigger as { userId?: unknown; userName?: unknown; requestId?: unknown; action?: unknown; task?: unknown };
  const email = runEmail(manifest.trigger) ?? (typeof trigger.userName === 'string' ? trigger.userName : undefined);
  const who = typeof trigger.userId === 'string' ? userWords(trigger.userId, email) : email ?? (typeof trigger.task === 'string' ? `task ${trigger.task}` : 'connection');
  const head = `### ${manifest.startedAt} · ${manifest.connectionId} · ${who} · ${manifest.outcome}`;
  const meta = [
    `- Folder: \`evidence/${path}/\` (chain sequence ${manifest.sequence}, attempt ${manifest.attempt})`,
    ...(typeof trigger.requestId === 'string' ? [`- Caused by SCIM request ${trigger.requestId}`] : []),
    `- ${manifest.steps.length} step(s), ${manifest.files.length} file(s)`,
  ];
  const steps = manifest.steps.map((step) => {
    const indent = step.parent === null ? '' : '  ';
    const error = step.error ? ` — ${step.error.split('\n')[0]}` : '';
    const files = step.files.length > 0 ? ` (${step.files.join(', ')})` : '';
    return `${indent}${step.index}. ${step.name}: ${step.outcome}${error}${files}`;
  });
  return [head, '', ...meta, '', ...steps, ''];
}

const HOW_TO_CHECK = [
  '## How to check this bundle',
  '',
  '- With scimwright: `npx scimwright evidence verify --zip <bundle.zip>`, or unzip it and run',
  '  `npx scimwright evidence verify --dir <folder>`. It hashes every file, checks each manifest',
  '  against `bundle.json`, and checks the chain links between runs that follow each other.',
  '- By hand: in each run folder, `sha256sum 0*` must print the `sha256` values listed under',
  '  `files` in its `manifest.json`; `sha256sum manifest.json` must equal the run\'s',
  '  `manifestSha256` in `bundle.json`, and the `previous` of the next run in the same chain.',
  '- Against the live system: `chains` in `bundle.json` records each connection\'s chain head',
  '  (sequence and SHA-256) when the bundle was made. The operator\'s `recordings/<connection>/',
  '  chain-head.json`, or any later manifest\'s chain, must continue from it.',
  '- A bundle for one user or a date range leaves out the runs in between: gaps in `sequence`',
  '  are expected and reported as notes, not failures. `verification.txt` is the check of the',
  '  whole live trail made at export time.',
];
