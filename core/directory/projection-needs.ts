/**
 * Whether a projection (RFC 7644 §3.4.2.5) can keep a rendered user's `groups` or provisioning
 * extension, so that a list asked for `attributes=userName` reads neither (issue 13). It answers
 * "no" only when core/scim/projection.ts certainly drops the attribute; when unsure, "yes".
 */
import { parseAttrPath } from '../scim/attribute-path.ts';
import type { ProjectionOptions } from '../scim/projection.ts';

function entries(list: string | undefined): string[] {
  return (list ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * `key` is a top-level key of the rendered user (`groups`, or an extension URN). `attributes`
 * selects only when one of its entries parses (as project() does); a selected attribute is named
 * in its entry, so an entry that does not contain the key cannot select it.
 */
export function projectionMayKeep(options: ProjectionOptions, key: string): boolean {
  const lower = key.toLowerCase();
  // A core attribute's plain name, or an extension's whole URN, drops the key (project() reads a
  // bare URN as naming the extension when the document holds it).
  const excluded = entries(options.excludedAttributes).some((e) => e.toLowerCase() === lower);
  if (excluded) return false;
  const included = entries(options.attributes);
  if (!included.some((e) => parseAttrPath(e) !== null)) return true;
  return included.some((e) => e.toLowerCase().includes(lower));
}
