/**
 * Named presentation presets of the Hex sandbox (issue 10: the sandbox is not the app). Each
 * changes several things hex.md records only as the sandbox's choice; together they use every
 * value of every HexPresentation knob, so a connector leaning on one look fails a preset. The
 * connector tests and the Hex end-to-end tests run over all of them (HEX_VARIANT narrows to one).
 */
import { DEFAULT_PRESENTATION, type HexPresentation } from './knobs.ts';

export interface HexVariant {
  name: string;
  presentation: HexPresentation;
}

const variant = (name: string, changes: Partial<HexPresentation>): HexVariant => ({
  name, presentation: { ...DEFAULT_PRESENTATION, ...changes },
});

export const HEX_VARIANTS: readonly HexVariant[] = [
  /** hex.md's wording exactly: a table, a "no match" row, messages that fade. */
  variant('as-noted', {}),
  /** An ARIA grid behind a spinner, a native select, slow data and a long debounce, messages that stay. */
  variant('grid-select', {
    loginButton: 'Sign in', loginLabel: 'Email address', settingsEntry: 'menu', authTabs: 'links', tokenWords: 'verbose',
    usersView: 'grid', emptyState: 'text', loading: 'spinner', listDelayMs: 400, searchDebounceMs: 800, roleControl: 'select',
    roleSaved: 'Role changed', confirmDialog: 'alertdialog', lingeringToast: true, randomIds: true, usersPageSize: 10,
  }),
  /** Instant search, no empty state at all, "Saved", an alertdialog, opaque ids. */
  variant('quiet', {
    loginButton: 'Continue', loginLabel: 'Work email', settingsEntry: 'menu', usersView: 'table', emptyState: 'none',
    listDelayMs: 150, searchDebounceMs: 0, roleSaved: 'Saved', confirmDialog: 'alertdialog', randomIds: true,
  }),
  /** A grid with the listbox control, links for SSO / SCIM, verbose token words, small pages. */
  variant('links-grid', {
    authTabs: 'links', tokenWords: 'verbose', usersView: 'grid', emptyState: 'row', loading: 'spinner',
    roleSaved: 'Role changed', lingeringToast: true, usersPageSize: 10,
  }),
];

/** Every value each knob can take, numbers by their presets' values: the presets must cover them all. */
export const PRESENTATION_VALUES: { [K in keyof HexPresentation]: ReadonlyArray<HexPresentation[K]> } = {
  loginButton: ['Log in', 'Sign in', 'Continue'],
  loginLabel: ['Email', 'Email address', 'Work email'],
  settingsEntry: ['link', 'menu'],
  authTabs: ['tabs', 'links'],
  tokenWords: ['plain', 'verbose'],
  usersView: ['table', 'grid'],
  emptyState: ['row', 'text', 'none'],
  loading: ['text', 'spinner'],
  listDelayMs: [0, 150, 400],
  searchDebounceMs: [0, 300, 800],
  roleControl: ['listbox', 'select'],
  roleSaved: ['Role updated', 'Role changed', 'Saved'],
  confirmDialog: ['dialog', 'alertdialog'],
  lingeringToast: [false, true],
  randomIds: [false, true],
  usersPageSize: [25, 10],
};

export function hexVariant(name: string): HexVariant {
  const found = HEX_VARIANTS.find((v) => v.name === name);
  if (!found) throw new Error(`unknown Hex sandbox variant ${name}; known: ${HEX_VARIANTS.map((v) => v.name).join(', ')}`);
  return found;
}

/** The presets a test file runs over: all of them, or only HEX_VARIANT's when it is set. */
export function hexVariantsToRun(): readonly HexVariant[] {
  const only = process.env.HEX_VARIANT;
  return only ? [hexVariant(only)] : HEX_VARIANTS;
}
