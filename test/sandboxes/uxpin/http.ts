/** Tiny node:http helpers for the sandbox: body parsing, cookies, answers. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const SESSION_COOKIE = 'uxpin_session';

export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export function sessionCookie(token: string | null): string {
  return token === null
    ? `${SESSION_COOKIE}=; HttpOnly; Path=/; SameSite=Lax; Max-Age=0`
    : `${SESSION_COOKIE}=${token}; HttpOnly; Path=/; SameSite=Lax`;
}

export function html(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** 303 after a POST (the browser follows with GET), 302 otherwise. */
export function redirect(res: ServerResponse, location: string, status = 302, headers: Record<string, string> = {}): void {
  res.writeHead(status, { location, 'cache-control': 'no-store', ...headers });
  res.end();
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
