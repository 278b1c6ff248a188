/** SCIM User bodies shaped like the ones Okta and Entra send (../shared/idp.md), numbered for lookups. */

const TITLES = ['Engineer', 'Designer', 'Account Executive', 'Support Lead', 'Product Manager', 'Recruiter', 'Analyst', 'Tax Advisor'];

/** userName of the i-th bench user of a run; filters look users up by it without keeping a list. */
export function benchUserName(prefix: string, i: number): string {
  return `${prefix}.user${i}@bench.example.com`;
}

export function benchUser(prefix: string, i: number): Record<string, unknown> {
  const userName = benchUserName(prefix, i);
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    userName,
    externalId: `00u${prefix}${i.toString(36).padStart(8, '0')}`,
    name: { givenName: `Given${i}`, familyName: `Family${i % 997}` },
    displayName: `Given${i} Family${i % 997}`,
    title: TITLES[i % TITLES.length],
    active: true,
    emails: [{ value: userName, type: 'work', primary: true }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: `Dept ${i % 40}`, employeeNumber: String(100000 + i) },
  };
}
