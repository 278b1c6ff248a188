/**
 * renderUser() on a stored body's text, for list pages (issue 13): parsing 100 bodies, rendering
 * them and stringifying the page again was most of a page's gateway CPU. For a body with a shape
 * (core/store/body-shape.ts, recorded when it was written) the answer is sliced together: the exact
 * text JSON.stringify(renderUser(…)) gives. Without one it is undefined, and the caller renders
 * the user the slow way, so an odd stored body costs time, never a different answer.
 */
import { META_KEY, readShape, SHAPE_HEADS } from '../store/body-shape.ts';
import type { ProvisioningView } from '../provisioning/state.ts';
import { etag, groupRefs, provisioningView, type GroupRef } from './render.ts';
import { PROVISIONING_EXTENSION } from './input.ts';

/** Each head as rendered: the provisioning URN appended to `schemas` (as renderUser does). */
const RENDERED_HEADS = SHAPE_HEADS.map((h) => `${h.slice(0, -'],"id":"'.length)},"${PROVISIONING_EXTENSION}"],"id":"`);

export function renderUserText(body: string, shape: string | null | undefined, version: number, baseUrl: string, groups: GroupRef[], prov: ProvisioningView | null): string | undefined {
  const at = readShape(body, shape);
  if (!at) return undefined;
  const start = SHAPE_HEADS[at.head]!.length;
  const id = body.slice(start, body.indexOf('"', start));
  const inner = body.slice(at.meta + META_KEY.length, -2);
  const refs = groups.length === 0 ? '[]' : JSON.stringify(groupRefs(groups, baseUrl));
  return `${RENDERED_HEADS[at.head]}${body.slice(start, at.meta)}${META_KEY}${inner}${inner === '' ? '' : ','}`
    + `"location":${JSON.stringify(`${baseUrl}/Users/${id}`)},"version":${JSON.stringify(etag(version))}}`
    + `,"groups":${refs},"${PROVISIONING_EXTENSION}":${JSON.stringify(provisioningView(prov))}}`;
}
