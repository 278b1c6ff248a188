/**
 * In-memory model of one Hex workspace as the sandbox serves it: users with their workspace role,
 * groups, the SCIM token (kept only as a hash: Hex shows it once) and admin sessions.
 * See /work/shared/apps/hex.md for what is documented by Hex and what is the sandbox's choice.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Most privileged first (hex.md, "Workspace roles"). */
export const HEX_ROLES = ['Admin', 'Manager', 'Editor', 'Explorer', 'Viewer', 'Guest'] as const;
export type HexRole = (typeof HEX_ROLES)[number];
/** Roles that use no paid seat: a change from one of these to any other asks first (knob). */
export const FREE_ROLES: readonly HexRole[] = ['Viewer', 'Guest'];
export type HexStatus = 'Active' | 'Invited' | 'Deactivated';

export interface HexUser {
  id: string;
  /** The email; Hex's SCIM unique identifier is userName (hex.md). */
  userName: string;
  givenName?: string;
  familyName?: string;
  displayName?: string;
  externalId?: string;
  role: HexRole;
  status: HexStatus;
  /** 'scim': made over SCIM (a "Directory sync" badge); 'hand': + User or seeded. */
  source: 'scim' | 'hand';
  created: string;
  lastModified: string;
}

export interface HexGroup {
  id: string;
  displayName: string;
  members: string[];
  created: string;
  lastModified: string;
}

export interface SeedUser {
  email: string;
  name?: string;
  role?: HexRole;
  status?: HexStatus;
  source?: 'scim' | 'hand';
}

export interface Session {
  expiresAt: number;
  /** 'totp': password accepted, authentication code still due. */
  stage: 'totp' | 'ok';
  /** Where login goes once done: the page asked for before login. */
  next?: string;
  /** The last action's message and when it stops showing (presentation.toast). */
  toast?: { message: string; until: number };
  /** A token just issued, shown by the next GET of the SCIM tab only (post/redirect/get). */
  revealed?: string;
}

/** One role change made on the Users page, for tests: who, from, to, and whether the seat was confirmed. */
export interface RoleChange {
  userName: string;
  from: HexRole;
  to: HexRole;
  seatConfirmed: boolean;
  at: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function displayNameOf(user: HexUser): string {
  return user.displayName ?? ([user.givenName, user.familyName].filter(Boolean).join(' ') || user.userName);
}

export class HexState {
  readonly users = new Map<string, HexUser>();
  readonly groups = new Map<string, HexGroup>();
  token: { hash: string; createdAt: string; createdBy: string } | null = null;
  tokenGenerations = 0;
  readonly sessions = new Map<string, Session>();
  readonly roleChanges: RoleChange[] = [];
  readonly stats = {
    scimRequests: 0, rateLimited: 0, unauthorized: 0, injectedFailures: 0,
    /** SCIM requests that carried a role attribute (dropped or refused): a connector should send none. */
    scimRoleAttempts: 0, usersCreated: 0, usersDeleted: 0,
  };
  private lastStamp = 0;

  /** Strictly increasing ISO timestamps, so two tokens made in the same millisecond differ. */
  now(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }

  addUser(fields: Omit<HexUser, 'id' | 'created' | 'lastModified'>): HexUser {
    const stamp = this.now();
    const user: HexUser = { ...fields, id: randomUUID(), created: stamp, lastModified: stamp };
    this.users.set(user.id, user);
    if (user.source === 'scim') this.stats.usersCreated += 1;
    return user;
  }

  seed(seed: SeedUser): HexUser {
    const [givenName, ...rest] = (seed.name ?? '').split(' ');
    return this.addUser({
      userName: seed.email, role: seed.role ?? 'Viewer', status: seed.status ?? 'Active', source: seed.source ?? 'hand',
      ...(seed.name ? { givenName, familyName: rest.join(' ') || undefined } : {}),
    });
  }

  byUserName(userName: string): HexUser | undefined {
    const wanted = userName.toLowerCase();
    return [...this.users.values()].find((u) => u.userName.toLowerCase() === wanted);
  }

  /** userName is unique case-insensitively across every user, whatever its status (hex.md: 409). */
  userNameTaken(userName: string, exceptId?: string): boolean {
    const user = this.byUserName(userName);
    return user !== undefined && user.id !== exceptId;
  }

  deleteUser(id: string): void {
    this.users.delete(id);
    this.stats.usersDeleted += 1;
    for (const group of this.groups.values()) group.members = group.members.filter((m) => m !== id);
  }

  groupsOf(userId: string): HexGroup[] {
    return [...this.groups.values()].filter((g) => g.members.includes(userId));
  }

  groupNameTaken(name: string, exceptId?: string): boolean {
    const wanted = name.toLowerCase();
    return [...this.groups.values()].some((g) => g.id !== exceptId && g.displayName.toLowerCase() === wanted);
  }

  addGroup(displayName: string, members: string[]): HexGroup {
    const stamp = this.now();
    const group: HexGroup = { id: randomUUID(), displayName, members: [...new Set(members)], created: stamp, lastModified: stamp };
    this.groups.set(group.id, group);
    return group;
  }

  /** Replaces the token: the previous one is refused from now on. Returns the plaintext once. */
  issueToken(by: string): string {
    const token = `hxsc_${randomBytes(32).toString('base64url')}`;
    this.token = { hash: hashToken(token), createdAt: this.now(), createdBy: by };
    this.tokenGenerations += 1;
    return token;
  }

  tokenMatches(token: string): boolean {
    return this.token !== null && this.token.hash === hashToken(token);
  }

  /** Test-only view: never the token itself, only its hash. */
  snapshot() {
    return {
      users: [...this.users.values()].map((u) => ({ ...u, groups: this.groupsOf(u.id).map((g) => g.displayName) })),
      groups: [...this.groups.values()].map((g) => ({ ...g, members: [...g.members] })),
      token: this.token ? { ...this.token } : null,
      tokenGenerations: this.tokenGenerations,
      roleChanges: this.roleChanges.map((c) => ({ ...c })),
      stats: { ...this.stats },
    };
  }
}

export type HexSnapshot = ReturnType<HexState['snapshot']>;
