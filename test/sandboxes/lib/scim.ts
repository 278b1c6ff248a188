/**
 * SCIM 2.0 pieces every sandbox serves the same way: the message schemas, the error type and its
 * RFC 7644 §3.12 body, PATCH bodies (§3.5.2), `attr eq "value"` filters and 1-based paging
 * (§3.4.2.4). Each sandbox keeps its own resource shapes and the app's own quirks.
 */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_TYPE = 'application/scim+json';

/** An error the SCIM routes answer with an RFC 7644 §3.12 body. */
export class SandboxScimError extends Error {
  constructor(readonly status: number, readonly scimType: string | undefined, detail: string) {
    super(detail);
  }
}

export function errorBody(status: number, scimType: string | undefined, detail: string) {
  return { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

export function asBoolean(value: unknown, path: string): boolean {
  // Entra sends "True"/"False" strings unless its tenant flag is set (idp.md).
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new SandboxScimError(400, 'invalidValue', `${path} must be a boolean`);
}

export function asString(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  throw new SandboxScimError(400, 'invalidValue', `${path} must be a string`);
}

export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

type Json = Record<string, unknown>;

/** Reads a PatchOp body; `op` is matched case-insensitively because Entra capitalises it. */
export function readPatch(body: unknown): PatchOp[] {
  const ops = (body as Json | null)?.Operations;
  if (!Array.isArray(ops)) throw new SandboxScimError(400, 'invalidSyntax', 'Operations is required');
  return ops.map((raw: Json) => {
    const op = String(raw?.op ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw new SandboxScimError(400, 'invalidSyntax', `unknown op ${String(raw?.op)}`);
    }
    return { op, path: typeof raw.path === 'string' ? raw.path : undefined, value: raw.value };
  });
}

const FILTER = /^\s*([A-Za-z][\w.]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i;

/** Only `attr eq "value"` is supported, as Okta and Entra send nothing else (idp.md). */
export function parseFilter(filter: string | undefined): { attr: string; value: string } | null {
  if (filter === undefined || filter === '') return null;
  const match = FILTER.exec(filter);
  if (!match) throw new SandboxScimError(400, 'invalidFilter', 'only `attribute eq "value"` filters are supported');
  return { attr: match[1]!.toLowerCase(), value: match[2]!.replace(/\\(.)/g, '$1') };
}

/**
 * 1-based paging (RFC 7644 §3.4.2.4): startIndex < 1 counts as 1; count is capped by the server
 * and defaults to `defaultCount` (the cap when not given).
 */
export function page<T>(items: T[], query: { startIndex?: string; count?: string }, maxPageSize: number, defaultCount = maxPageSize) {
  const startIndex = Math.max(1, Number.parseInt(query.startIndex ?? '1', 10) || 1);
  const asked = query.count === undefined ? defaultCount : Number.parseInt(query.count, 10);
  const count = Math.min(maxPageSize, Math.max(0, Number.isNaN(asked) ? defaultCount : asked));
  const slice = items.slice(startIndex - 1, startIndex - 1 + count);
  return { totalResults: items.length, startIndex, itemsPerPage: slice.length, slice };
}
