/**
 * Discovery (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas. What is advertised
 * follows the connection's connector: its declared capabilities appear in our extension.
 */
import type { FastifyInstance } from 'fastify';
import { ScimError } from '../../core/errors.ts';
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER } from '../../core/scim/attribute-path.ts';
import { MAX_DOCUMENT_DEPTH, MAX_PATCH_OPERATIONS, MULTI_VALUED_LIMITS } from '../../core/scim/limits.ts';
import { PROVISIONING_SCHEMA, schemaDefinitions } from '../../core/scim/schema-definitions.ts';
import { listResponse, scimContext, sendResource } from './reply.ts';

const CAPABILITIES_SCHEMA = 'urn:scimwright:params:scim:schemas:extension:connector:2.0:ServiceProviderConfig';

export async function discoveryRoutes(app: FastifyInstance) {
  app.get('/ServiceProviderConfig', async (request, reply) => {
    const ctx = scimContext(request);
    const connector = app.scimwright.connectors.get(request.connection.connector);
    return sendResource(reply, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig', CAPABILITIES_SCHEMA],
      documentationUri: 'https://github.com/scimwright/scimwright#readme',
      // maxOperations is not in RFC 7643 §5's patch object; advertised the way bulk does (§3.5.2).
      patch: { supported: true, maxOperations: MAX_PATCH_OPERATIONS },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: app.scimwright.config.maxPageSize },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Bearer token', description: 'The connection token (scim_…) shown once when the connection was created.', primary: true }],
      [CAPABILITIES_SCHEMA]: {
        connector: connector?.id, app: connector?.name, capabilities: connector?.capabilities,
        limits: { patchOperations: MAX_PATCH_OPERATIONS, documentDepth: MAX_DOCUMENT_DEPTH, multiValued: MULTI_VALUED_LIMITS },
      },
      meta: { resourceType: 'ServiceProviderConfig', location: `${ctx.baseUrl}/ServiceProviderConfig` },
    });
  });

  const resourceTypes = (baseUrl: string) => [
    { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', schema: CORE_USER,
      schemaExtensions: [{ schema: ENTERPRISE_USER, required: false }, { schema: PROVISIONING_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` } },
    { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', schema: CORE_GROUP,
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` } },
  ];

  app.get('/ResourceTypes', async (request, reply) => {
    const all = resourceTypes(scimContext(request).baseUrl);
    return sendResource(reply, listResponse(all, all.length, 1));
  });
  app.get<{ Params: { name: string } }>('/ResourceTypes/:name', async (request, reply) => {
    const found = resourceTypes(scimContext(request).baseUrl).find((r) => r.id.toLowerCase() === request.params.name.toLowerCase());
    if (!found) throw ScimError.notFound(`ResourceType "${request.params.name}" not found.`);
    return sendResource(reply, found);
  });
  app.get('/Schemas', async (request, reply) => {
    const all = schemaDefinitions(scimContext(request).baseUrl);
    return sendResource(reply, listResponse(all, all.length, 1));
  });
  app.get<{ Params: { id: string } }>('/Schemas/:id', async (request, reply) => {
    const found = schemaDefinitions(scimContext(request).baseUrl).find((s) => s.id.toLowerCase() === request.params.id.toLowerCase());
    if (!found) throw ScimError.notFound(`Schema "${request.params.id}" not found.`);
    return sendResource(reply, found);
  });
}
