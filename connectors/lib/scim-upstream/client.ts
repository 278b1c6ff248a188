/**
 * A small typed client for a third-party SCIM 2.0 API (Spekit, Hex, Hyperproof): users, groups
 * and 1-based paging (RFC 7644 §3.4.2.4). Callers pass the upstream's own ids for group members;
 * `resolveUserIds` maps our userNames to them.
 */
import { TransientAppError } from '../../../core/errors.ts';
import { UpstreamRefusedError } from './errors.ts';
import { scimRequest, type HttpOptions, type RequestSpec } from './http.ts';
import { backoffMs, sleep, type RetryOptions } from './retry.ts';
import {
  filterEq, GROUP_SCHEMA, listResponseSchema, PATCH_SCHEMA, upstreamGroupSchema, upstreamUserSchema,
  USER_SCHEMA, userAttributes, type UpstreamGroup, type UpstreamUser, type UpstreamUserInput,
} from './schemas.ts';

export interface ScimUpstreamOptions {
  /** The SCIM base URL, e.g. https://app.example.com/scim/v2. */
  baseUrl: string;
  /** Read before every request, so a rotated token is used at once. */
  token: () => Promise<string>;
  fetch?: typeof fetch;
  /** Default { attempts: 4, baseMs: 250 }. */
  retry?: RetryOptions;
  signal?: AbortSignal;
  /** Page size asked of list calls; the server may return fewer. Default 100. */
  pageSize?: number;
  sleep?: HttpOptions['sleep'];
  random?: HttpOptions['random'];
}

export interface CreateUserResult {
  user: UpstreamUser;
  /** true: the userName existed (409) and the existing user was adopted. */
  adopted: boolean;
}

export type UpdateMethod = 'put' | 'patch';

/** A 404 from the upstream, for callers that treat "already gone" as done. */
export function isNotFound(error: unknown): boolean {
  return error instanceof UpstreamRefusedError && error.status === 404;
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

const patchBody = (Operations: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations });
const parseUser = (v: unknown) => upstreamUserSchema.parse(v);
const parseGroup = (v: unknown) => upstreamGroupSchema.parse(v);
const userPath = (id: string) => `/Users/${encodeURIComponent(id)}`;
const groupPath = (id: string) => `/Groups/${encodeURIComponent(id)}`;

export class ScimUpstream {
  private readonly http: HttpOptions;
  private readonly pageSize: number;

  constructor(private readonly options: ScimUpstreamOptions) {
    this.http = { ...options, retry: options.retry ?? { attempts: 4, baseMs: 250 } };
    this.pageSize = options.pageSize ?? 100;
  }

  private call(spec: RequestSpec) {
    return scimRequest(this.http, spec);
  }

  /** Follows startIndex (1-based) until totalResults items are read or a page comes back empty. */
  private async listAll<T>(path: string, parse: (v: unknown) => T, filter?: string): Promise<T[]> {
    const schema = listResponseSchema(upstreamUserSchema.or(upstreamGroupSchema));
    const out: T[] = [];
    for (let startIndex = 1; ; ) {
      const query: Record<string, string | number> = { startIndex, count: this.pageSize };
      if (filter) query.filter = filter;
      const page = schema.parse((await this.call({ method: 'GET', path, query })).body);
      out.push(...page.Resources.map(parse));
      startIndex += page.Resources.length;
      if (page.Resources.length === 0 || out.length >= page.totalResults) return out;
    }
  }

  async findUserByUserName(userName: string): Promise<UpstreamUser | null> {
    const users = await this.listAll('/Users', parseUser, filterEq('userName', userName));
    // Some servers ignore or loosen filters: keep only a true match (userName is case-insensitive, RFC 7643 §4.1.1).
    return users.find((u) => sameName(u.userName, userName)) ?? null;
  }

  async getUser(id: string): Promise<UpstreamUser | null> {
    try {
      return parseUser((await this.call({ method: 'GET', path: userPath(id) })).body);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  listUsers(): Promise<UpstreamUser[]> {
    return this.listAll('/Users', parseUser);
  }

  /** POST /Users; a 409 adopts the existing user (RFC 7644 §3.3), so a retried create is safe. */
  async createUser(input: UpstreamUserInput): Promise<CreateUserResult> {
    const body = { schemas: [USER_SCHEMA], ...userAttributes({ active: true, ...input }) };
    try {
      return { user: parseUser((await this.call({ method: 'POST', path: '/Users', body, idempotent: true })).body), adopted: false };
    } catch (error) {
      if (!(error instanceof UpstreamRefusedError && error.status === 409)) throw error;
      const existing = await this.findUserByUserName(input.userName);
      if (existing) return { user: existing, adopted: true };
      throw new UpstreamRefusedError(409, 'uniqueness',
        `userName ${input.userName} is taken by a user the SCIM API does not list (made by hand or by invitation?)`);
    }
  }

  /** PUT replaces the whole user (RFC 7644 §3.5.1); PATCH replaces only the given attributes (§3.5.2.3). */
  async updateUser(id: string, input: UpstreamUserInput, method: UpdateMethod = 'patch'): Promise<UpstreamUser> {
    const res = method === 'put'
      ? await this.call({ method: 'PUT', path: userPath(id), body: { schemas: [USER_SCHEMA], ...userAttributes(input) } })
      : await this.call({ method: 'PATCH', path: userPath(id), body: patchBody([{ op: 'replace', value: userAttributes(input) }]) });
    // A PATCH may answer 204 without a body (RFC 7644 §3.5.2).
    return res.body ? parseUser(res.body) : parseUser(await this.getUser(id));
  }

  async setActive(id: string, active: boolean): Promise<void> {
    await this.call({ method: 'PATCH', path: userPath(id), body: patchBody([{ op: 'replace', value: { active } }]) });
  }

  /** PATCH active=false (RFC 7643 §4.1.1): what Okta and Entra send, and what apps prefer to DELETE. */
  deactivateUser(id: string): Promise<void> {
    return this.setActive(id, false);
  }

  reactivateUser(id: string): Promise<void> {
    return this.setActive(id, true);
  }

  /** DELETE; a user already gone (404) counts as deleted. */
  async deleteUser(id: string): Promise<void> {
    try {
      await this.call({ method: 'DELETE', path: userPath(id) });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Every group with that displayName; some apps (Spekit) allow duplicates. */
  async findGroupsByDisplayName(displayName: string): Promise<UpstreamGroup[]> {
    const groups = await this.listAll('/Groups', parseGroup, filterEq('displayName', displayName));
    return groups.filter((g) => sameName(g.displayName, displayName));
  }

  async findGroupByDisplayName(displayName: string): Promise<UpstreamGroup | null> {
    return (await this.findGroupsByDisplayName(displayName))[0] ?? null;
  }

  listGroups(): Promise<UpstreamGroup[]> {
    return this.listAll('/Groups', parseGroup);
  }

  /**
   * POST /Groups is not repeated blindly: after a 5xx or network error the group may exist, so
   * it is looked up by displayName first, and only created again when it is not there.
   */
  async createGroup(displayName: string, memberIds: string[] = []): Promise<UpstreamGroup> {
    const body = { schemas: [GROUP_SCHEMA], displayName, members: memberIds.map((value) => ({ value })) };
    for (let n = 1; ; n += 1) {
      try {
        return parseGroup((await this.call({ method: 'POST', path: '/Groups', body, idempotent: false })).body);
      } catch (error) {
        if (!(error instanceof TransientAppError) || n >= this.http.retry.attempts) throw error;
        const existing = await this.findGroupByDisplayName(displayName);
        if (existing) {
          await this.addMembers(existing.id, memberIds);
          return existing;
        }
        await (this.options.sleep ?? sleep)(backoffMs(n, this.http.retry, this.options.random), this.options.signal);
      }
    }
  }

  /** The first group with that displayName, created when there is none. */
  async ensureGroup(displayName: string): Promise<UpstreamGroup> {
    return (await this.findGroupByDisplayName(displayName)) ?? this.createGroup(displayName);
  }

  /** Members are the upstream's own user ids (see resolveUserIds). */
  async addMembers(groupId: string, upstreamUserIds: string[]): Promise<void> {
    if (upstreamUserIds.length === 0) return;
    const value = upstreamUserIds.map((id) => ({ value: id }));
    await this.call({ method: 'PATCH', path: groupPath(groupId), body: patchBody([{ op: 'add', path: 'members', value }]) });
  }

  /** One `members[value eq "…"]` remove per id: the form Okta sends and servers accept most widely. */
  async removeMembers(groupId: string, upstreamUserIds: string[]): Promise<void> {
    if (upstreamUserIds.length === 0) return;
    const ops = upstreamUserIds.map((id) => ({ op: 'remove', path: `members[value eq ${JSON.stringify(id)}]` }));
    await this.call({ method: 'PATCH', path: groupPath(groupId), body: patchBody(ops) });
  }

  /** Maps our user references (userNames) to the upstream's own ids; unknown names are listed as missing. */
  async resolveUserIds(userNames: string[]): Promise<{ ids: Map<string, string>; missing: string[] }> {
    const ids = new Map<string, string>();
    const missing: string[] = [];
    for (const userName of userNames) {
      const user = await this.findUserByUserName(userName);
      if (user) ids.set(userName, user.id);
      else missing.push(userName);
    }
    return { ids, missing };
  }

  /** One cheap authenticated call; throws UpstreamUnauthorizedError when the token is refused. */
  async probe(): Promise<void> {
    await this.call({ method: 'GET', path: '/Users', query: { startIndex: 1, count: 1 } });
  }
}

export function createScimUpstream(options: ScimUpstreamOptions): ScimUpstream {
  return new ScimUpstream(options);
}
