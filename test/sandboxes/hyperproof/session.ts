/**
 * Admin sessions of the sandbox: the cookie, its lifetime (knob), the per-session CSRF value, the
 * toast an action leaves for the next page, and the PageView a request renders with.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HyperproofKnobs } from './knobs.ts';
import type { PageView } from './presentation.ts';
import type { HyperproofState, Session } from './state.ts';

const COOKIE = 'hp_session';
/** How long a lingering toast stays (presentation.lingeringToast). */
const LINGER_MS = 5000;

export interface SessionDeps {
  state: HyperproofState;
  knobs: HyperproofKnobs;
  /** Random per start: ids, classes and the CSRF header's name carry it. */
  salt: string;
  csrfHeader: string;
}

export function sessionId(request: FastifyRequest): string | undefined {
  const match = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(request.headers.cookie ?? '');
  return match?.[1];
}

export function startSession(deps: SessionDeps, reply: FastifyReply, stage: Session['stage']): Session {
  const id = randomBytes(24).toString('base64url');
  const session: Session = { stage, expiresAt: Date.now() + deps.knobs.sessionLifetimeMs, csrf: randomBytes(16).toString('hex') };
  deps.state.sessions.set(id, session);
  reply.header('set-cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
  return session;
}

/** The request's session at `stage`; an expired one is dropped. */
export function liveSession(deps: SessionDeps, request: FastifyRequest, stage: Session['stage'] = 'ok'): Session | undefined {
  const id = sessionId(request);
  const session = id ? deps.state.sessions.get(id) : undefined;
  if (!id || !session) return undefined;
  if (session.expiresAt < Date.now()) {
    deps.state.sessions.delete(id);
    return undefined;
  }
  return session.stage === stage ? session : undefined;
}

export function endSession(deps: SessionDeps, request: FastifyRequest): void {
  const id = sessionId(request);
  if (id) deps.state.sessions.delete(id);
}

export function toastAfter(deps: SessionDeps, session: Session | undefined, message: string): void {
  if (!session) return;
  session.toast = { message, until: Date.now() + (deps.knobs.presentation.lingeringToast ? LINGER_MS : 0), shown: false };
}

/** The presentation plus what this request's session shows: a toast, the CSRF header. */
export function viewOf(deps: SessionDeps, request: FastifyRequest, next?: string): PageView {
  const session = liveSession(deps, request);
  const view: PageView = { presentation: deps.knobs.presentation, salt: deps.salt };
  if (next) view.next = next;
  if (!session) return view;
  view.csrf = { header: deps.csrfHeader, value: session.csrf };
  const toast = session.toast;
  if (toast && (!toast.shown || toast.until > Date.now())) {
    view.toast = toast.message;
    toast.shown = true;
  }
  return view;
}

/** Only a local path is a place to land on (no open redirect), and only with landing 'requested'. */
export function landingFor(deps: SessionDeps, next: string | undefined): string {
  const local = next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login');
  return deps.knobs.presentation.landing === 'requested' && local ? next : '/overview';
}
