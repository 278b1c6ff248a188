/**
 * In-memory model of one Spekit account as the sandbox serves it: users, teams, memberships, the
 * SCIM bearer token (kept only as a hash, as Spekit shows it once) and the admin sessions.
 * See /work/shared/apps/spekit.md for which behaviours are documented and which are our choice.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const SPEKIT_ROLES = ['Viewer', 'Expert', 'Team Admin'] as const;
export type SpekitRole = (typeof SPEKIT_ROLES)[number];
export type UserStatus = 'Active' | 'Pending' | 'Deactivated';

export interface SandboxUser {
  id: string;
  userName: string;
  email: string;
  givenName?: string;
  familyName?: string;
  displayName?: string;
  externalId?: string;
  active: boolean;
  /** Pending until the user's first login (spekit.md). */
  loggedIn: boolean;
  /** 'hand': created by hand or invitation, so invisible over SCIM but its userName is taken. */
  source: 'scim' | 'hand';
  /** The SCIM `roles` value; teams the user joins take it (Viewer when null). */
  role: SpekitRole | null;
  created: string;
  lastModified: string;
}

export interface SandboxTeam {
  id: string;
  displayName: string;
  source: 'scim' | 'hand';
  created: string;
  lastModified: string;
}

export interface Membership {
  teamId: string;
  userId: string;
  role: SpekitRole;
}

export interface TokenRecord {
  hash: string;
  createdAt: string;
}

export interface HandUser {
  userName: string;
  email?: string;
  displayName?: string;
  status?: UserStatus;
}

export interface Session {
  expiresAt: number;
  /** 'totp': password accepted, authentication code still due. */
  stage: 'totp' | 'ok';
  /** The last action's toast and when it stops showing (presentation.toast). */
  toast?: { message: string; until: number };
  /** Where login goes once the code is verified (presentation.landing 'requested'). */
  next?: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function userStatus(user: SandboxUser): UserStatus {
  if (!user.active) return 'Deactivated';
  return user.loggedIn ? 'Active' : 'Pending';
}

export class SpekitState {
  readonly users = new Map<string, SandboxUser>();
  readonly teams = new Map<string, SandboxTeam>();
  memberships: Membership[] = [];
  token: TokenRecord | null = null;
  tokenGenerations = 0;
  readonly sessions = new Map<string, Session>();
  readonly stats = { scimRequests: 0, rateLimited: 0, unauthorized: 0, injectedFailures: 0 };
  private lastStamp = 0;

  constructor(handUsers: HandUser[] = []) {
    for (const hand of handUsers) this.addHandUser(hand);
  }

  /** Strictly increasing ISO timestamps, so two tokens made in the same millisecond differ. */
  now(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }

  addHandUser(hand: HandUser): SandboxUser {
    const stamp = this.now();
    const user: SandboxUser = {
      id: randomUUID(),
      userName: hand.userName,
      email: hand.email ?? hand.userName,
      displayName: hand.displayName,
      active: hand.status !== 'Deactivated',
      loggedIn: hand.status !== 'Pending',
      source: 'hand',
      role: null,
      created: stamp,
      lastModified: stamp,
    };
    this.users.set(user.id, user);
    return user;
  }

  /** userName is unique case-insensitively across every user, SCIM-visible or not (RFC 7643 §4.1.1). */
  userNameTaken(userName: string, exceptId?: string): boolean {
    const wanted = userName.toLowerCase();
    for (const user of this.users.values()) {
      if (user.id !== exceptId && user.userName.toLowerCase() === wanted) return true;
    }
    return false;
  }

  scimUsers(): SandboxUser[] {
    return [...this.users.values()].filter((u) => u.source === 'scim');
  }

  scimUser(id: string): SandboxUser | undefined {
    const user = this.users.get(id);
    return user?.source === 'scim' ? user : undefined;
  }

  scimTeams(): SandboxTeam[] {
    return [...this.teams.values()].filter((t) => t.source === 'scim');
  }

  scimTeam(id: string): SandboxTeam | undefined {
    const team = this.teams.get(id);
    return team?.source === 'scim' ? team : undefined;
  }

  addTeam(displayName: string): SandboxTeam {
    const stamp = this.now();
    const team: SandboxTeam = { id: randomUUID(), displayName, source: 'scim', created: stamp, lastModified: stamp };
    this.teams.set(team.id, team);
    return team;
  }

  deleteTeam(id: string): void {
    this.teams.delete(id);
    this.memberships = this.memberships.filter((m) => m.teamId !== id);
  }

  deleteUser(id: string): void {
    this.users.delete(id);
    this.memberships = this.memberships.filter((m) => m.userId !== id);
  }

  membersOf(teamId: string): Membership[] {
    return this.memberships.filter((m) => m.teamId === teamId);
  }

  teamsOf(userId: string): Membership[] {
    return this.memberships.filter((m) => m.userId === userId);
  }

  addMember(teamId: string, userId: string): void {
    if (this.memberships.some((m) => m.teamId === teamId && m.userId === userId)) return;
    const role = this.users.get(userId)?.role ?? 'Viewer';
    this.memberships.push({ teamId, userId, role });
  }

  removeMember(teamId: string, userId: string): void {
    this.memberships = this.memberships.filter((m) => !(m.teamId === teamId && m.userId === userId));
  }

  /** A changed SCIM `roles` value applies to every IdP team the user is in. */
  applyRole(userId: string): void {
    const role = this.users.get(userId)?.role ?? 'Viewer';
    for (const m of this.memberships) if (m.userId === userId) m.role = role;
  }

  /** Replaces the token: the previous one is refused from now on. Returns the plaintext once. */
  issueToken(): string {
    const token = `spk_${randomBytes(32).toString('base64url')}`;
    this.token = { hash: hashToken(token), createdAt: this.now() };
    this.tokenGenerations += 1;
    return token;
  }

  tokenMatches(token: string): boolean {
    return this.token !== null && this.token.hash === hashToken(token);
  }

  /** Test-only view: never the token itself, only its hash. */
  snapshot() {
    return {
      users: [...this.users.values()].map((u) => ({ ...u, status: userStatus(u) })),
      teams: [...this.teams.values()],
      memberships: this.memberships.map((m) => ({ ...m })),
      token: this.token ? { ...this.token } : null,
      tokenGenerations: this.tokenGenerations,
      stats: { ...this.stats },
    };
  }
}

export type SpekitSnapshot = ReturnType<SpekitState['snapshot']>;
