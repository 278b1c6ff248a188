/**
 * SCAN over every key matching a pattern. On a Redis Cluster a SCAN sees one node's keys only, so
 * each master is scanned in turn; on one server this is the plain SCAN loop.
 */
import { Cluster, type Redis } from 'ioredis';

const SCAN_COUNT = 1000;

/** Batches of matching keys (a key may come twice, as SCAN allows; callers must not mind). */
export async function* scanKeys(redis: Redis, match: string): AsyncGenerator<string[]> {
  const nodes: Redis[] = redis instanceof Cluster ? (redis as Cluster).nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}
