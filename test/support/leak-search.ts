/**
 * The byte search for secrets the end-to-end tests run over everything a run wrote: every Redis
 * value, read by type, and the encoded forms a secret can take inside a longer blob.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { filesUnder } from './files.ts';

export type Haystack = [where: string, bytes: Buffer];

/**
 * Everything a stack wrote, as haystacks: every file under the recordings folder, the log lines,
 * every Redis value. Close the worker first so every run is sealed and every line written.
 */
export async function everythingWritten(recordingsDir: string, logs: string[], redis: Redis): Promise<{ files: string[]; haystacks: Haystack[] }> {
  const files = await filesUnder(recordingsDir);
  const haystacks: Haystack[] = [
    ...(await Promise.all(files.map(async (f) => [f, await readFile(f)] as Haystack))),
    ['log output', Buffer.from(logs.join(''))],
    ...(await redisValues(redis)),
  ];
  return { files, haystacks };
}

/** Fails naming the haystack that holds any of the secrets, in clear or in an encoded form. */
export function assertNoSecret(haystacks: Haystack[], secrets: string[]): void {
  for (const secret of secrets) {
    for (const needle of needles(secret)) {
      for (const [where, bytes] of haystacks) assert.equal(bytes.includes(needle), false, `${where} holds a secret (${needle === secret ? 'clear text' : 'encoded'})`);
    }
  }
}

/**
 * Every value of every key, read by type (DUMP is not used: it may LZF-compress long strings,
 * which would hide a token from a byte search).
 */
export async function redisValues(client: Redis): Promise<Haystack[]> {
  const out: Haystack[] = [];
  for (const key of await client.keys('*')) {
    const type = await client.type(key);
    const parts: Buffer[] = [Buffer.from(key)];
    if (type === 'string') parts.push((await client.getBuffer(key))!);
    else if (type === 'hash') for (const [k, v] of Object.entries(await client.hgetallBuffer(key))) parts.push(Buffer.from(k), v);
    else if (type === 'list') parts.push(...(await client.lrangeBuffer(key, 0, -1)));
    else if (type === 'set') parts.push(...(await client.smembersBuffer(key)));
    else if (type === 'zset') parts.push(...(await client.zrangeBuffer(key, '0', '-1')));
    else if (type === 'stream') parts.push(Buffer.from(JSON.stringify(await client.xrange(key, '-', '+'))));
    else if (type !== 'none') throw new Error(`key ${key} has type ${type}, which this search cannot read`);
    out.push([`redis ${key}`, Buffer.concat(parts)]);
  }
  return out;
}

/**
 * The forms a secret can take: clear text, and base64 / base64url at each of the three byte
 * alignments it can have inside a longer encoded blob (the stable middle of each encoding).
 */
export function needles(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const out = new Set([secret]);
  for (let pad = 0; pad < 3; pad++) {
    for (const encoding of ['base64', 'base64url'] as const) {
      const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString(encoding);
      out.add(encoded.slice(Math.ceil((pad * 4) / 3), encoded.length - 4));
    }
  }
  return [...out];
}
