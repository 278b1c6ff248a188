/**
 * A list of records drawn as a <table> or as an ARIA grid of divs: getByRole('row') covers both,
 * cells are role cell or gridcell, columns are found by their header text, never by position in
 * the markup or by class.
 */
import type { Locator, Page } from 'playwright-core';

type Scope = Page | Locator;

/** The table or grid that has a column header matching `header`. */
export function listWithColumn(page: Page, header: RegExp): Locator {
  return page.getByRole('table').or(page.getByRole('grid'))
    .filter({ has: page.getByRole('columnheader', { name: header }) }).first();
}

export function cellsOf(scope: Scope, name?: RegExp): Locator {
  const opts = name ? { name } : {};
  return scope.getByRole('cell', opts).or(scope.getByRole('gridcell', opts));
}

/** Data rows of a list: rows holding cells (header rows hold column headers only). */
export function dataRows(list: Locator, page: Page): Locator {
  return list.getByRole('row').filter({ has: cellsOf(page) });
}

/** The index of the first header matching each pattern; a missing one is named in `missing`. */
export async function columnIndexes<K extends string>(list: Locator, wanted: Record<K, RegExp>): Promise<{ found: Partial<Record<K, number>>; missing: K[]; names: string[] }> {
  const names = (await list.getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
  const found: Partial<Record<K, number>> = {};
  const missing: K[] = [];
  for (const key of Object.keys(wanted) as K[]) {
    const i = names.findIndex((n) => wanted[key].test(n));
    if (i < 0) missing.push(key);
    else found[key] = i;
  }
  return { found, missing, names };
}
