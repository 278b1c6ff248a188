/** What every CLI command shares: errors with exit codes, strict option parsing and a small admin API client. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Command = (args: string[]) => Promise<number>;

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export interface AdminClient {
  request(method: string, path: string, body?: unknown): Promise<unknown>;
}

type Options = NonNullable<ParseArgsConfig['options']>;
const COMMON = { json: { type: 'boolean' } } as const;

/**
 * parseArgs with `strict: true`, so a mistyped flag is refused (exit 2) instead of silently ignored;
 * every command also takes `--json`.
 */
export function parse<O extends Options>(command: string, args: string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({ args, options: { ...options, ...COMMON }, strict: true, allowPositionals: positionals > 0 });
    if (parsed.positionals.length > positionals) throw new CliError(`${command}: unexpected argument '${parsed.positionals[positionals]}'`);
    return parsed;
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    const flag = /'(-[^']*)'/.exec((error as Error).message)?.[1];
    const what = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `unknown option ${flag}`
      : code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? 'takes no arguments' : (error as Error).message;
    throw new CliError(`${command}: ${what}\nRun scimwright ${command.split(' ')[0]} --help for its options.`);
  }
}

/** The gateway the CLI talks to; also where its console lives (`<url>/console`). */
export function gatewayUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.SCIMWRIGHT_URL ?? `http://127.0.0.1:${env.PORT ?? 8080}`).replace(/\/+$/, '');
}

export function adminClient(env: NodeJS.ProcessEnv = process.env): AdminClient {
  const base = gatewayUrl(env);
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
