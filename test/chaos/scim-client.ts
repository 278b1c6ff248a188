/**
 * The IdP side of a chaos run: SCIM requests as Okta and Entra send them, retried as an IdP
 * retries (on a 5xx, a 429 or a refused connection), with every answer logged by time so the
 * verdict can tell 5xx during the Redis outage from 5xx at any other moment.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export type Idp = 'okta' | 'entra';
export const USER_AGENT: Record<Idp, string> = { okta: 'Okta SCIM Client 1.0.0', entra: 'Azure Active Directory SCIM Client' };

export interface Answer {
  status: number;
  body: Record<string, any>;
  /** Date.now() when it arrived. */
  at: number;
}

export interface Exchange {
  method: string;
  status: number;
  at: number;
}

/** Waits while closed; a chaos step closes it so that no request is sent during a read-back. */
export class Gate {
  private opened: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  close(): void {
    if (this.release) return;
    this.opened = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release?.();
    this.release = undefined;
  }

  pass(): Promise<void> {
    return this.opened;
  }
}

export class ScimClient {
  constructor(readonly base: string, private readonly token: string, readonly gate: Gate, readonly exchanges: Exchange[] = []) {}

  /** The same client past the gate (for the read-back the gate holds other requests for). */
  ungated(): ScimClient {
    return new ScimClient(this.base, this.token, new Gate(), this.exchanges);
  }

  /** One request, no retry; a refused or broken connection is status 0. */
  async once(idp: Idp, method: string, path: string, body?: unknown): Promise<Answer> {
    let status = 0;
    let parsed: Record<string, any> = {};
    try {
      const res = await fetch(`${this.base}${path}`, {
        method, signal: AbortSignal.timeout(60_000),
        headers: {
          authorization: `Bearer ${this.token}`, 'user-agent': USER_AGENT[idp],
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      status = res.status;
      const text = await res.text();
      try { parsed = text ? (JSON.parse(text) as Record<string, any>) : {}; } catch { parsed = { text }; }
    } catch (error) {
      parsed = { error: String(error) };
    }
    const at = Date.now();
    this.exchanges.push({ method, status, at });
    return { status, body: parsed, at };
  }

  /** Retries through 5xx, 429 and broken connections (as IdPs do) until another answer or `limitMs`. */
  async send(idp: Idp, method: string, path: string, body?: unknown, limitMs = 300_000): Promise<Answer> {
    const deadline = Date.now() + limitMs;
    for (let attempt = 0; ; attempt++) {
      await this.gate.pass();
      const answer = await this.once(idp, method, path, body);
      const retry = answer.status === 0 || answer.status === 429 || answer.status >= 500;
      if (!retry || Date.now() > deadline) return answer;
      await sleep(Math.min(2_000, 200 * 2 ** attempt));
    }
  }
}
