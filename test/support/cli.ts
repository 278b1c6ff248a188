/**
 * The CLI as a newcomer runs it: `bin/scimwright.js` in a child process against a listening gateway
 * on a real Redis, started once for the test file (hooks registered by `cliGateway`).
 */
import { execFile } from 'node:child_process';
import { after, before } from 'node:test';
import { ADMIN_TOKEN, startGateway, type TestGateway } from './gateway.ts';
import { startRedis, type TestRedis } from './redis.ts';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface CliGateway {
  /** The gateway's base URL (read inside tests, after `before` ran). */
  url(): string;
  /** Runs the CLI with SCIMWRIGHT_URL and SCIMWRIGHT_ADMIN_TOKEN set; asynchronous, since the gateway answers from this process. */
  cli(args: string[], env?: Record<string, string>): Promise<CliResult>;
  /** The environment a CLI child needs to reach the gateway as an admin. */
  env(): Record<string, string>;
}

export function cliGateway(): CliGateway {
  let redis: TestRedis | undefined;
  let gw: TestGateway | undefined;
  let url = '';
  before(async () => {
    redis = await startRedis();
    gw = await startGateway(redis.url);
    url = await gw.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await gw?.close();
    await redis?.stop();
  });
  const env = () => ({ SCIMWRIGHT_URL: url, SCIMWRIGHT_ADMIN_TOKEN: ADMIN_TOKEN });
  return {
    url: () => url,
    env,
    cli: (args, extra = {}) => new Promise((resolve) => {
      execFile(process.execPath, ['bin/scimwright.js', ...args], {
        encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env(), ...extra },
      }, (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
    }),
  };
}
