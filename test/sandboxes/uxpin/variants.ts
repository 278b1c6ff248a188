/**
 * Named presets of the presentation knobs (presentation.ts), each changing several things at once.
 * Together they cover every value of every presentation knob at least once; the connector suite and
 * the UXPin end-to-end tests run over all of them (see README, "Testing connectors across sandbox
 * variants"). A preset is plain knobs: a test's own options still win over it.
 */
import type { Knobs } from './knobs.ts';
import type { Presentation } from './presentation.ts';

export type VariantKnobs = Partial<Knobs & Presentation>;

export const VARIANTS = {
  /** The sandbox as first written: a "No users found" row, a <table>, search by page load. */
  classic: {},
  /**
   * The independent copy of issue 10: headers, no row, and "No users found matching …" under the
   * table; a longer login label; login lands on the page asked for.
   */
  'text-empty': { emptyState: 'text', loginLabel: 'Email address', loginLanding: 'asked' },
  /** A script-drawn ARIA grid, live search that keeps old rows a moment, no empty state at all. */
  'live-grid': {
    emptyState: 'none', listMarkup: 'grid', searchDebounceMs: 300, scriptedList: true, randomIds: true,
    optionValues: 'code', lingeringToast: true, loginLabel: 'Email or username', loginLanding: 'asked',
  },
  /** A grid behind a spinner, opaque ids and option values, a toast that never goes away. */
  'slow-grid': {
    emptyState: 'text', listMarkup: 'grid', slowListMs: 200, randomIds: true, optionValues: 'code',
    lingeringToast: true, loginLabel: 'Username or email',
  },
} as const satisfies Record<string, VariantKnobs>;

export type VariantName = keyof typeof VARIANTS;

export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];

export function variantKnobs(name: string): VariantKnobs {
  if (!(name in VARIANTS)) throw new Error(`unknown UXPin sandbox variant "${name}" (one of ${VARIANT_NAMES.join(', ')})`);
  return VARIANTS[name as VariantName];
}
