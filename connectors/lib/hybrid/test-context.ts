/**
 * A minimal ConnectorContext for hybrid-connector tests: steps run directly, an in-memory vault,
 * a list of registered secrets and captured log lines (so tests can check no token leaks into them).
 */
import type { Page } from 'playwright-core';
import type { ConnectorContext } from '../../../core/connector.ts';

export interface TestContext<S> extends ConnectorContext<S> {
  vaultData: Map<string, string>;
  secrets: string[];
  logs: string[];
  steps: string[];
}

export interface TestContextOptions<S> {
  baseUrl: string;
  settings: S;
  page?: () => Promise<Page>;
  vault?: Record<string, string>;
  credentials?: ConnectorContext['credentials'];
  connectionId?: string;
}

export function makeTestContext<S>(options: TestContextOptions<S>): TestContext<S> {
  const vaultData = new Map(Object.entries(options.vault ?? {}));
  const secrets: string[] = [];
  const logs: string[] = [];
  const steps: string[] = [];
  return {
    connectionId: options.connectionId ?? 'conn-hybrid-test',
    baseUrl: options.baseUrl,
    credentials: options.credentials ?? { email: 'admin@example.com', password: 'correct horse battery staple' },
    settings: options.settings,
    page: options.page ?? (() => Promise.reject(new Error('this test opens no browser'))),
    step: (name, fn) => {
      steps.push(name);
      return fn();
    },
    vault: {
      get: async (key) => vaultData.get(key),
      set: async (key, value) => void vaultData.set(key, value),
    },
    addSecret: (secret) => void secrets.push(secret),
    signal: new AbortController().signal,
    log: (message, fields) => void logs.push(`${message} ${JSON.stringify(fields ?? {})}`),
    vaultData,
    secrets,
    logs,
    steps,
  };
}
