/** What every CLI command shares: errors with exit codes and a small admin API client. */
export type Command = (args: string[]) => Promise<number>;

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export interface AdminClient {
  request(method: string, path: string, body?: unknown): Promise<unknown>;
}

export function adminClient(env: NodeJS.ProcessEnv = process.env): AdminClient {
  const base = (env.SCIMWRIGHT_URL ?? `http://127.0.0.1:${env.PORT ?? 8080}`).replace(/\/+$/, '');
  const token = env.SCIMWRIGHT_ADMIN_TOKEN;
  return {
    async request(method, path, body) {
      if (!token) throw new CliError('SCIMWRIGHT_ADMIN_TOKEN is not set (the admin token printed at first start).');
      let res: Response;
      try {
        res = await fetch(`${base}/admin/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        throw new CliError(`cannot reach ${base} (${(error as Error).message}); is scimwright running? Set SCIMWRIGHT_URL.`, 1);
      }
      const text = await res.text();
      const parsed: unknown = text ? JSON.parse(text) : null;
      if (!res.ok) {
        const message = (parsed as { error?: { message?: string } } | null)?.error?.message ?? text;
        throw new CliError(`${method} ${path}: ${res.status} ${message}`, 1);
      }
      return parsed;
    },
  };
}

export function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
