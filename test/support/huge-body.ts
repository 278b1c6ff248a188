/** A 5 MiB JSON POST over a real socket (inject() bypasses Node's HTTP parser), and its answer. */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface HugeAnswer {
  status?: number;
  headers: Record<string, unknown>;
  text: string;
  /** Set when the client got no answer (a reset, EPIPE). */
  error?: string;
}

/** POSTs 5 MiB in 64 KiB chunks, as a client on a real network does, and reads the answer. */
export async function postHuge(app: FastifyInstance, path: string, headers: Record<string, string>, chunked: boolean): Promise<HugeAnswer> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const body = Buffer.alloc(5 * 1024 * 1024, 'a');
  body.write('{"userName":"big@contoso.com","displayName":"');
  return new Promise<HugeAnswer>((resolve) => {
    const req = request({
      host: '127.0.0.1', port, method: 'POST', path,
      headers: { 'content-type': 'application/json', ...headers, ...(chunked ? {} : { 'content-length': String(body.length) }) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', (error) => resolve({ headers: {}, text: '', error: String(error) }));
    // Written the way a real client over a real network does: in chunks, while the server answers.
    let sent = 0;
    const step = 64 * 1024;
    const more = () => {
      if (sent >= body.length) return void req.end();
      req.write(body.subarray(sent, sent + step), () => { sent += step; setTimeout(more, 1); });
    };
    more();
  });
}
