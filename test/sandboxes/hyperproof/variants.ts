/**
 * Named presentation presets of the Hyperproof sandbox. Each changes several of the things
 * hyperproof.md leaves open at once, and together they use every value of every presentation
 * knob at least once, so a connector that relies on one presentation fails a preset. The
 * connector suites and the Hyperproof end-to-end tests run over all of them.
 */
import { DEFAULT_PRESENTATION, type HyperproofPresentation } from './presentation.ts';

export interface HyperproofVariant {
  name: string;
  presentation: HyperproofPresentation;
}

const variant = (name: string, changes: Partial<HyperproofPresentation>): HyperproofVariant => ({
  name, presentation: { ...DEFAULT_PRESENTATION, ...changes },
});

export const HYPERPROOF_VARIANTS: readonly HyperproofVariant[] = [
  /** The sandbox's first choices: page loads, native dialogs, tables, a "No …" row. */
  variant('as-written', {}),
  /** A single-page app: sign-in in place, ARIA dialogs and grids, script-drawn pages, panels for tabs, toasts that stay. */
  variant('single-page', {
    landing: 'requested', signIn: 'inline', switchMarkup: 'checkbox', dialogs: 'aria', lists: 'grid', emptyState: 'text',
    peopleTabs: 'panels', scripted: true, confirmDebounceMs: 400, lingeringToast: true, wording: 'synonyms', dates: 'local',
  }),
  /** Server pages again, but other words, no empty state at all, a checkbox, a slow confirm and lingering toasts. */
  variant('plain-synonyms', {
    landing: 'requested', switchMarkup: 'checkbox', emptyState: 'none', confirmDebounceMs: 400, lingeringToast: true,
    wording: 'synonyms', dates: 'local',
  }),
  /** Grids behind spinners with native dialogs and panels. */
  variant('grid-panels', { signIn: 'inline', lists: 'grid', peopleTabs: 'panels', scripted: true, emptyState: 'none' }),
];

/** Every value each knob can take: the presets must cover them all (variants.test.ts checks). */
export const PRESENTATION_VALUES: { [K in keyof HyperproofPresentation]: ReadonlyArray<HyperproofPresentation[K]> } = {
  landing: ['overview', 'requested'],
  signIn: ['pages', 'inline'],
  switchMarkup: ['switch', 'checkbox'],
  dialogs: ['native', 'aria'],
  lists: ['table', 'grid'],
  emptyState: ['row', 'text', 'none'],
  peopleTabs: ['links', 'panels'],
  scripted: [false, true],
  confirmDebounceMs: [0, 400],
  lingeringToast: [false, true],
  wording: ['plain', 'synonyms'],
  dates: ['iso', 'local'],
};

/** One preset by name (HYPERPROOF_VARIANT narrows a local run to it); throws on an unknown name. */
export function hyperproofVariant(name: string): HyperproofVariant {
  const found = HYPERPROOF_VARIANTS.find((v) => v.name === name);
  if (!found) throw new Error(`unknown Hyperproof sandbox variant ${name}; known: ${HYPERPROOF_VARIANTS.map((v) => v.name).join(', ')}`);
  return found;
}

/** The presets a test file runs over: all of them, or only HYPERPROOF_VARIANT's when it is set. */
export function hyperproofVariantsToRun(): readonly HyperproofVariant[] {
  const only = process.env.HYPERPROOF_VARIANT;
  return only ? [hyperproofVariant(only)] : HYPERPROOF_VARIANTS;
}
