/**
 * An answer sent before the request body was read (413): Fastify refuses a too-large
 * `Content-Length` before reading it and the reply closes the connection; Node then destroys the
 * socket with the body still unread, the kernel sends a reset, and a client still writing gets
 * EPIPE instead of the answer. Reading the rest (bounded in bytes and time) lets the client finish
 * writing and read the answer; the connection then closes.
 */
import type { FastifyRequest } from 'fastify';

const DRAIN_BYTES = 64 * 1024 * 1024;
const DRAIN_MS = 10_000;

export function drainUnreadBody(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', done).off('error', done).off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => { read += chunk.length; if (read > DRAIN_BYTES) done(); };
    const timer = setTimeout(done, DRAIN_MS);
    raw.on('data', onData).on('end', done).on('error', done).on('close', done);
    raw.resume();
  });
}
