/** CLI conventions (issue 12): help, version, unknown commands and flags, --json and tables, tokens' console URL. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cliGateway } from './support/cli.ts';

const gateway = cliGateway();
const { cli } = gateway;

test('--help and -h exit 0 with usage, at the top level and for each command and subcommand', async () => {
  for (const args of [['--help'], ['-h'], ['help'], []]) {
    const r = await cli(args);
    assert.equal(r.status, 0, args.join(' '));
    assert.match(r.stdout, /^usage: scimwright <command>/);
    assert.match(r.stdout, /--json/);
  }
  for (const [command, sub] of [['connections', 'delete'], ['tokens', 'add'], ['evidence', 'export']] as const) {
    for (const args of [[command, '--help'], [command, '-h'], [command, sub!, '--help'], ['help', command]]) {
      const r = await cli(args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: scimwright ${command} <command>`));
      assert.match(r.stdout, new RegExp(`\\n  ${sub} `));
      assert.equal(r.stderr, '');
    }
  }
});

test('--version prints the package version', async () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const r = await cli(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `scimwright ${version}\n`);
});

test('an unknown command says so, suggests the closest one, and exits 2', async () => {
  const top = await cli(['conections', 'list']);
  assert.equal(top.status, 2);
  assert.match(top.stderr, /unknown command: conections\nDid you mean: scimwright connections\?/);
  const sub = await cli(['tokens', 'revok', 'x']);
  assert.equal(sub.status, 2);
  assert.match(sub.stderr, /unknown command: tokens revok\nDid you mean: scimwright tokens revoke\?/);
  const far = await cli(['frobnicate']);
  assert.equal(far.status, 2);
  assert.match(far.stderr, /unknown command: frobnicate\n/);
  assert.doesNotMatch(far.stderr, /Did you mean/);
  assert.equal(far.stdout, '');
});

test('unknown flags and stray arguments are refused with exit 2, before anything is sent', async () => {
  const flag = await cli(['tokens', 'add', '--role', 'reviewer', '--nmae', 'x']);
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /tokens add: unknown option --nmae\nRun scimwright tokens --help/);
  assert.equal((await cli(['tokens', 'list', '--json'])).stdout.includes('"x"'), false, 'no token was made');
  const stray = await cli(['connections', 'list', 'extra']);
  assert.equal(stray.status, 2);
  assert.match(stray.stderr, /connections list: takes no arguments/);
  const evidence = await cli(['evidence', 'verify', '--zp', 'a.zip']);
  assert.equal(evidence.status, 2);
  assert.match(evidence.stderr, /evidence verify: unknown option --zp/);
});

test('tokens add prints the real console URL; list is a table, or JSON with --json', async () => {
  const added = await cli(['tokens', 'add', '--role', 'reviewer', '--name', 'auditor']);
  assert.equal(added.status, 0, added.stderr);
  assert.ok(added.stdout.includes(`Sign in to the console at ${gateway.url()}/console with it.`), added.stdout);
  assert.doesNotMatch(added.stdout, /<gateway>/);
  const json = await cli(['tokens', 'add', '--role', 'reviewer', '--name', 'script', '--json']);
  const made = JSON.parse(json.stdout) as { id: string; token: string; consoleUrl: string };
  assert.equal(made.consoleUrl, `${gateway.url()}/console`);
  assert.match(made.token, /\S{16,}/);

  const table = await cli(['tokens', 'list']);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^ID +ROLE +CREATED \(UTC\) +EXPIRES \(UTC\) +LAST USED \(UTC\) +NAME\n/);
  assert.match(table.stdout, new RegExp(`\\n${made.id} +reviewer +20\\d\\d-\\S+ +never +never +script\\n`));
  assert.ok(!table.stdout.includes(made.token));
  const listed = JSON.parse((await cli(['tokens', 'list', '--json'])).stdout) as { tokens: Array<{ name: string }> };
  assert.deepEqual(listed.tokens.map((t) => t.name).filter((n) => n !== 'SCIMWRIGHT_ADMIN_TOKEN'), ['auditor', 'script']);

  const expiring = await cli(['tokens', 'add', '--role', 'reviewer', '--name', 'audit week', '--expires-in-days', '7', '--json']);
  const week = JSON.parse(expiring.stdout) as { id: string; expiresAt: string };
  const days = (Date.parse(week.expiresAt) - Date.now()) / 86_400_000;
  assert.ok(days > 6.9 && days <= 7, week.expiresAt);
  assert.match((await cli(['tokens', 'list'])).stdout, new RegExp(`\\n${week.id} +reviewer +\\S+ +${week.expiresAt.replace(/[.]/g, '\\.')} +never +audit week\\n`));
  const refused = await cli(['tokens', 'add', '--role', 'reviewer', '--expires-in-days', '0']);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /--expires-in-days must be a whole number of days from 1 to 3650, not '0'/);

  const revoked = await cli(['tokens', 'revoke', made.id, '--json']);
  assert.deepEqual(JSON.parse(revoked.stdout), { id: made.id, revoked: true });
});

test('connections: an empty list says so; get is readable by default and JSON with --json', async () => {
  assert.equal((await cli(['connections', 'list'])).stdout, 'No connections yet (scimwright connections add …).\n');
  assert.deepEqual(JSON.parse((await cli(['connections', 'list', '--json'])).stdout), { connections: [] });
  const added = await cli(['connections', 'add', '--json', '--id', 'conv-app', '--connector', 'testapp', '--base-url', 'http://app.test', '--admin-email', 'a@app.test'], { APP_ADMIN_PASSWORD: 'conv-secret-pw' });
  assert.equal(added.status, 0, added.stderr);
  assert.equal((JSON.parse(added.stdout) as { id: string }).id, 'conv-app');
  const readable = await cli(['connections', 'get', 'conv-app']);
  assert.match(readable.stdout, /^id: +conv-app\nconnector: +testapp\nbaseUrl: +http:\/\/app\.test\n/);
  assert.equal((JSON.parse((await cli(['connections', 'get', 'conv-app', '--json'])).stdout) as { id: string }).id, 'conv-app');
  assert.ok(!readable.stdout.includes('conv-secret-pw'));
  const deleted = await cli(['connections', 'delete', 'conv-app', '--yes', '--json']);
  assert.deepEqual(JSON.parse(deleted.stdout), { id: 'conv-app', deleted: true });
});

/** Runs the CLI on a real pseudo-terminal (util-linux `script`), answering the prompt once it shows. */
function onTerminal(args: string[], answer: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const command = [process.execPath, 'bin/scimwright.js', ...args].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...gateway.env() } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('[y/N]') && answer) {
        child.stdin.write(`${answer}\n`);
        answer = '';
      }
    });
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, output }); });
  });
}

test('connections delete on a terminal asks first: "n" keeps the connection (exit 1), "y" deletes it', async () => {
  const made = await cli(['connections', 'add', '--id', 'tty-app', '--connector', 'testapp', '--base-url', 'http://app.test', '--admin-email', 'a@app.test'], { APP_ADMIN_PASSWORD: 'tty-secret-pw' });
  assert.equal(made.status, 0, made.stderr);
  const declined = await onTerminal(['connections', 'delete', 'tty-app'], 'n');
  assert.match(declined.output, /Delete connection tty-app\? Its SCIM token stops working at once\. \[y\/N\]/);
  assert.match(declined.output, /Connection tty-app not deleted\./);
  assert.equal(declined.status, 1);
  assert.equal((await cli(['connections', 'get', 'tty-app'])).status, 0);
  const confirmed = await onTerminal(['connections', 'delete', 'tty-app'], 'y');
  assert.match(confirmed.output, /Connection tty-app deleted\./);
  assert.equal(confirmed.status, 0);
  assert.equal((await cli(['connections', 'get', 'tty-app'])).status, 1);
});
