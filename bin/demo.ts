/**
 * `npm run demo`: everything on embedded defaults — Redis, gateway, worker and the UXPin sandbox —
 * then one user's life through SCIM (provision, change role, deprovision) with the evidence it
 * leaves, and it keeps running so a newcomer can send their own requests.
 *
 * stdout carries only the lines meant for a person; the JSON logs go to DATA_DIR/demo.log (its path
 * is printed). A file rather than stderr because both streams land in the same terminal, so stderr
 * would not keep them apart; `tail -f` the file to watch the requests.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pino } from 'pino';
import { startUxpinSandbox } from '../test/sandboxes/uxpin/index.ts';
import { start } from './start.ts';

const say = (line = '') => process.stdout.write(`${line}\n`);
const PROVISIONING = 'urn:scimwright:params:scim:schemas:extension:provisioning:2.0:User';

async function json(res: Response): Promise<Record<string, any>> {
  const body = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${body}`);
  return body ? JSON.parse(body) : {};
}

async function main() {
  const adminToken = process.env.SCIMWRIGHT_ADMIN_TOKEN ?? `swa_demo_${randomBytes(24).toString('base64url')}`;
  const sandbox = await startUxpinSandbox({ seed: 5 });
  let logFile = '';
  const started = await start({ adminToken, ...(process.env.PORT ? {} : { port: 0 }) }, (config) => {
    logFile = resolve(config.dataDir, 'demo.log');
    return pino.destination({ dest: logFile, mkdir: true, sync: true });
  });
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  say(`scimwright demo: ${started.origin}   (JSON logs: ${logFile})`);
  say(`UXPin sandbox (a local replica of UXPin's team screens): ${sandbox.url}`);

  const id = `demo-${randomBytes(2).toString('hex')}`;
  const created = await json(await fetch(`${started.origin}/admin/v1/connections`, {
    method: 'POST', headers: admin,
    body: JSON.stringify({ id, connector: 'uxpin', baseUrl: sandbox.url, credentials: { email: sandbox.admin.email, password: sandbox.admin.password }, settings: { defaultRole: 'Collaborator' } }),
  }));
  const scim = { authorization: `Bearer ${created.token}`, 'content-type': 'application/scim+json' };
  const base = created.scimBaseUrl as string;
  say(`\n1. Connection "${id}" created; SCIM base URL ${base}`);

  const user = await json(await fetch(`${base}/Users`, { method: 'POST', headers: scim, body: JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'jane.doe@example.com', name: { givenName: 'Jane', familyName: 'Doe' },
    emails: [{ primary: true, value: 'jane.doe@example.com', type: 'work' }], active: true,
  }) }));
  await waitFor(base, user.id, scim, (u) => u[PROVISIONING]?.state === 'in sync', '2. Provisioned jane.doe@example.com as Collaborator');

  await json(await fetch(`${base}/Users/${user.id}`, { method: 'PATCH', headers: scim, body: JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'roles', value: [{ value: 'Creator', primary: true }] }],
  }) }));
  await waitFor(base, user.id, scim, (u) => u[PROVISIONING]?.state === 'in sync' && u[PROVISIONING]?.appRole === 'Creator', '3. Role changed to Creator');

  await json(await fetch(`${base}/Users/${user.id}`, { method: 'PATCH', headers: scim, body: JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }],
  }) }));
  await waitFor(base, user.id, scim, (u) => u[PROVISIONING]?.state === 'removed', '4. Deprovisioned: removed from the UXPin team');
  const member = sandbox.state.find('jane.doe@example.com');
  say(`   The sandbox's own state agrees: ${member ? 'STILL A MEMBER (unexpected)' : 'no longer a member'}.`);

  say(readyBlock({ origin: started.origin, adminToken, logFile, recordingsDir: started.config.recordingsDir, id, base, token: created.token }));
  const stop = async () => {
    await started.stop();
    await sandbox.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  if (process.env.SCIMWRIGHT_DEMO_EXIT === '1') await stop();
}

/** What a newcomer copies: the console, the CLI's two variables, and SCIM requests of their own. */
function readyBlock(o: { origin: string; adminToken: string; logFile: string; recordingsDir: string; id: string; base: string; token: string }): string {
  const rule = '-'.repeat(72);
  return [
    '', rule, 'scimwright demo is running (Ctrl-C to stop)', '',
    `  Console:   ${o.origin}/console   (sign in with the admin token below)`,
    `  Logs:      ${o.logFile}   (JSON, one line per request)`,
    `  Evidence:  ${o.recordingsDir}/${o.id}/`, '',
    'For the CLI, in another shell:',
    `  export SCIMWRIGHT_URL=${o.origin}`,
    `  export SCIMWRIGHT_ADMIN_TOKEN=${o.adminToken}`,
    '  npx scimwright connections list',
    `  npx scimwright evidence verify --dir ${o.recordingsDir} --connection ${o.id}`, '',
    'Your own SCIM requests, as an IdP sends them:',
    `  export SCIM=${o.base}`,
    `  export TOKEN=${o.token}`,
    '  curl -H "Authorization: Bearer $TOKEN" "$SCIM/Users?filter=userName%20eq%20%22jane.doe@example.com%22"',
    rule,
  ].join('\n');
}

async function waitFor(base: string, id: string, headers: Record<string, string>, done: (u: Record<string, any>) => boolean, message: string) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const user = await json(await fetch(`${base}/Users/${id}`, { headers }));
    const prov = user[PROVISIONING] ?? {};
    if (done(user)) {
      say(`${message}  (state: ${prov.state}${prov.appRole ? `, app role ${prov.appRole}` : ''})`);
      return user;
    }
    if (prov.state === 'failed' || Date.now() > deadline) throw new Error(`${message} did not happen: ${JSON.stringify(prov)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
