/**
 * The users list's query string (search, state filter, sort, direction, page) read leniently: an
 * unknown value falls back to the default instead of an error page, since these come from links.
 * Every link the page makes keeps the rest of the query.
 */
import { SORT_KEYS, type SortKey } from '../../core/provisioning/list-index.ts';
import type { ProvisioningStateName } from '../../core/provisioning/state.ts';
import { STATES } from './data.ts';
import { withQuery } from './html.ts';

export const PAGE_ROWS = 50;
export const FILTERS = [...STATES, 'retrying', 'stuck'] as const;
export type StateFilter = ProvisioningStateName | 'retrying' | 'stuck';

export interface UsersQuery {
  q: string;
  state?: StateFilter;
  sort: SortKey;
  dir: 'asc' | 'desc';
  page: number;
}

export type RawQuery = Partial<Record<'q' | 'state' | 'sort' | 'dir' | 'page', string>>;

/** Last change reads newest first by default; the names and states read A to Z. */
export function defaultDir(sort: SortKey): 'asc' | 'desc' {
  return sort === 'changed' ? 'desc' : 'asc';
}

export function parseUsersQuery(raw: RawQuery): UsersQuery {
  const sort = SORT_KEYS.includes(raw.sort as SortKey) ? (raw.sort as SortKey) : 'email';
  const dir = raw.dir === 'asc' || raw.dir === 'desc' ? raw.dir : defaultDir(sort);
  const page = /^\d{1,7}$/.test(raw.page ?? '') ? Math.max(1, Number(raw.page)) : 1;
  const state = FILTERS.includes(raw.state as StateFilter) ? (raw.state as StateFilter) : undefined;
  return { q: String(raw.q ?? '').trim().slice(0, 200), ...(state ? { state } : {}), sort, dir, page };
}

/** The page's address for `query` changed by `change`; defaults are left out to keep links short. */
export function usersLink(path: string, query: UsersQuery, change: Partial<UsersQuery> = {}): string {
  const next = { ...query, ...change };
  return withQuery(path, {
    q: next.q || undefined,
    state: next.state,
    sort: next.sort === 'email' ? undefined : next.sort,
    dir: next.dir === defaultDir(next.sort) ? undefined : next.dir,
    page: next.page > 1 ? String(next.page) : undefined,
  });
}
