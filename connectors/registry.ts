/** The connectors this build ships: an explicit list, so what runs is what was reviewed. */
import type { ConnectorDefinition, ConnectorDescriptor } from '../core/connector.ts';
import { hexConnector } from './hex/index.ts';
import { hyperproofConnector } from './hyperproof/index.ts';
import { spekitConnector } from './spekit/index.ts';
import { uxpin } from './uxpin/index.ts';

export const connectors: readonly ConnectorDefinition[] = [uxpin, spekitConnector, hexConnector, hyperproofConnector] as unknown as ConnectorDefinition[];

/** What the gateway may know of each connector: capabilities and settings, no operations. */
export function describeConnectors(list: readonly ConnectorDefinition[] = connectors): Map<string, ConnectorDescriptor> {
  return new Map(list.map((c) => [c.id, {
    id: c.id,
    name: c.name,
    capabilities: { ...c.capabilities, tasks: Object.keys(c.operations.tasks ?? {}), check: c.operations.check !== undefined },
    settings: c.settings,
  }]));
}
