/** The kit's test ConnectorContext (connectors/lib/hybrid/test-context.ts) with Spekit's settings. */
import type { Page } from 'playwright-core';
import type { ConnectorContext } from '../../core/connector.ts';
import { makeTestContext as makeHybridContext, type TestContext as HybridTestContext } from '../lib/hybrid/test-context.ts';
import { spekitSettingsSchema, type SpekitSettings } from './settings.ts';

export type TestContext = HybridTestContext<SpekitSettings>;

export interface TestContextOptions {
  baseUrl: string;
  page?: () => Promise<Page>;
  settings?: Partial<SpekitSettings>;
  vault?: Record<string, string>;
  credentials?: ConnectorContext['credentials'];
}

export function makeTestContext(options: TestContextOptions): TestContext {
  return makeHybridContext({ ...options, connectionId: 'conn-spekit-test', settings: spekitSettingsSchema.parse(options.settings ?? {}) });
}
