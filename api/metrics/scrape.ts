/**
 * One answer to a scrape, for the gateway's /metrics route and a standalone worker's metrics
 * server alike: the registry's text, or 401 when a metrics token is set and not presented.
 */
import { constantTimeEqual } from '../../core/crypto.ts';
import type { PromMetrics } from './prom.ts';

export interface ScrapeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function bearer(header: string | undefined): string {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
}

export async function scrape(prom: PromMetrics, token: string | undefined, authorization: string | undefined): Promise<ScrapeAnswer> {
  if (token && !constantTimeEqual(bearer(authorization), token)) {
    return {
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="scimwright metrics"', 'content-type': 'text/plain; charset=utf-8' },
      body: '/metrics needs the bearer token set in SCIMWRIGHT_METRICS_TOKEN.\n',
    };
  }
  return {
    status: 200,
    headers: { 'content-type': prom.registry.contentType, 'cache-control': 'no-store' },
    body: await prom.registry.metrics(),
  };
}
