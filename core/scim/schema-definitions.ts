/**
 * The schemas served at /Schemas (RFC 7643 §7, §8.7.1): core User and Group, the enterprise
 * extension, and scimwright's read-only provisioning extension.
 */
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER } from './attribute-path.ts';

export const PROVISIONING_SCHEMA = 'urn:scimwright:params:scim:schemas:extension:provisioning:2.0:User';

type Type = 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime';
interface Options {
  multi?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned?: 'always' | 'never' | 'default' | 'request';
  uniqueness?: 'none' | 'server' | 'global';
  sub?: object[];
  refs?: string[];
  canonical?: string[];
  description?: string;
}

function attr(name: string, type: Type, o: Options = {}) {
  return {
    name,
    type,
    multiValued: o.multi ?? false,
    description: o.description ?? name,
    required: o.required ?? false,
    caseExact: o.caseExact ?? false,
    mutability: o.mutability ?? 'readWrite',
    returned: o.returned ?? 'default',
    uniqueness: o.uniqueness ?? 'none',
    ...(o.sub ? { subAttributes: o.sub } : {}),
    ...(o.refs ? { referenceTypes: o.refs } : {}),
    ...(o.canonical ? { canonicalValues: o.canonical } : {}),
  };
}

const multiValued = (name: string, canonical: string[] = []) =>
  attr(name, 'complex', {
    multi: true,
    sub: [attr('value', 'string'), attr('display', 'string'), attr('type', 'string', { canonical }), attr('primary', 'boolean')],
  });

const userAttributes = [
  attr('userName', 'string', { required: true, uniqueness: 'server', description: 'Unique identifier; compared case-insensitively.' }),
  attr('name', 'complex', {
    sub: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map((n) => attr(n, 'string')),
  }),
  ...['displayName', 'nickName', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone'].map((n) => attr(n, 'string')),
  attr('profileUrl', 'reference', { refs: ['external'] }),
  attr('active', 'boolean', { description: 'false removes (or deactivates) the user in the app.' }),
  attr('password', 'string', { mutability: 'writeOnly', returned: 'never', description: 'Accepted and discarded: never stored.' }),
  multiValued('emails', ['work', 'home', 'other']),
  multiValued('phoneNumbers', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  multiValued('roles'),
  multiValued('entitlements'),
  attr('groups', 'complex', {
    multi: true,
    mutability: 'readOnly',
    sub: [attr('value', 'string', { mutability: 'readOnly' }), attr('$ref', 'reference', { refs: ['Group'], mutability: 'readOnly' }), attr('display', 'string', { mutability: 'readOnly' }), attr('type', 'string', { mutability: 'readOnly' })],
  }),
];

const groupAttributes = [
  attr('displayName', 'string', { required: true, uniqueness: 'server', description: 'Unique per connection; maps to an app role through groupRoleMap.' }),
  attr('members', 'complex', {
    multi: true,
    sub: [attr('value', 'string', { mutability: 'immutable', caseExact: true }), attr('$ref', 'reference', { refs: ['User'], mutability: 'immutable' }), attr('display', 'string'), attr('type', 'string', { canonical: ['User'] })],
  }),
];

const enterpriseAttributes = [
  ...['employeeNumber', 'costCenter', 'organization', 'division', 'department'].map((n) => attr(n, 'string')),
  attr('manager', 'complex', { sub: [attr('value', 'string'), attr('$ref', 'reference', { refs: ['User'] }), attr('displayName', 'string', { mutability: 'readOnly' })] }),
];

const provisioningAttributes = [
  attr('state', 'string', { mutability: 'readOnly', canonical: ['pending', 'in sync', 'failed', 'removed'], description: 'Where the app stands against the desired state.' }),
  attr('appRole', 'string', { mutability: 'readOnly', description: 'The role the app shows for the user, as last converged.' }),
  attr('lastRun', 'dateTime', { mutability: 'readOnly' }),
  attr('lastError', 'string', { mutability: 'readOnly' }),
];

function schema(id: string, name: string, description: string, attributes: object[], baseUrl: string) {
  return { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'], id, name, description, attributes, meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${id}` } };
}

export function schemaDefinitions(baseUrl: string) {
  return [
    schema(CORE_USER, 'User', 'User Account', userAttributes, baseUrl),
    schema(CORE_GROUP, 'Group', 'Group', groupAttributes, baseUrl),
    schema(ENTERPRISE_USER, 'EnterpriseUser', 'Enterprise User', enterpriseAttributes, baseUrl),
    schema(PROVISIONING_SCHEMA, 'Provisioning', 'scimwright provisioning state of the user in the app', provisioningAttributes, baseUrl),
  ];
}
