import { Module, type DynamicModule } from '@nestjs/common';
import { startServiceHarness, type ServiceHarness } from '@tremplin/testing';
import { startService, type ServiceDefinition } from './bootstrap';
import { baseConfigSchema, type BaseConfig } from './config';
import { PlatformModule } from './platform.module';

// The movable clock of demo and test platforms, through real HTTP: platform admins only, forward only, and off
// unless asked for — never in production.

@Module({})
class ProbeModule {
  static register(config: BaseConfig): DynamicModule {
    return { module: ProbeModule, imports: [PlatformModule.forRoot('probe', config)] };
  }
}

const definition: ServiceDefinition<typeof baseConfigSchema> = {
  name: 'probe',
  description: 'clock probe',
  configSchema: baseConfigSchema,
  migrations: [],
  module: (config) => ProbeModule.register(config),
};

let movable: ServiceHarness;
let fixed: ServiceHarness;
let admin = '';
let director = '';

beforeAll(async () => {
  movable = await startServiceHarness({ name: 'kit_clock', service: definition, tenant: 'ccas-probe', env: { CLOCK_CONTROL: 'on' } });
  fixed = await startServiceHarness({ name: 'kit_clock_off', service: definition, tenant: 'ccas-probe' });
  admin = await movable.token({ role: 'platformAdmin', userId: 'ops-olga', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
  director = await movable.token({ role: 'ccasDirector', userId: 'dir-probe', organisationId: 'ccas-probe-org', organisationKind: 'ccas' });
});

afterAll(async () => {
  await movable?.close();
  await fixed?.close();
});

describe('PUT /platform/clock', () => {
  it('moves the clock forward for a platform admin, frozen or running', async () => {
    const frozen = await movable.call('PUT', '/platform/clock', { token: admin, body: { now: '2030-01-15T09:00:00.000Z', mode: 'frozen' } });
    expect([frozen.status, frozen.body]).toEqual([200, { now: '2030-01-15T09:00:00.000Z', mode: 'frozen' }]);
    expect((await movable.call('GET', '/platform/clock', { token: admin })).body).toEqual({ now: '2030-01-15T09:00:00.000Z', mode: 'frozen' });
    const running = await movable.call('PUT', '/platform/clock', { token: admin, body: { now: '2030-02-01T09:00:00+01:00' } });
    expect(running.status).toBe(200);
    expect(running.body.mode).toBe('running');
    expect(Date.parse(String(running.body.now))).toBeGreaterThanOrEqual(Date.parse('2030-02-01T08:00:00.000Z'));
  });

  it('refuses going back (409), a bad body (400), other roles (403) and no token (401)', async () => {
    const back = await movable.call('PUT', '/platform/clock', { token: admin, body: { now: '2029-12-31T00:00:00.000Z' } });
    expect([back.status, back.body.code, back.body.field]).toEqual([409, 'CLOCK_BACKWARDS', 'now']);
    const bad = await movable.call('PUT', '/platform/clock', { token: admin, body: { now: 'tomorrow' } });
    expect([bad.status, bad.body.code, bad.body.field]).toEqual([400, 'VALIDATION_FAILED', 'now']);
    const extra = await movable.call('PUT', '/platform/clock', { token: admin, body: { now: '2031-01-01T00:00:00.000Z', speed: 10 } });
    expect([extra.status, extra.body.field]).toEqual([400, 'speed']);
    expect((await movable.call('PUT', '/platform/clock', { token: director, body: { now: '2031-01-01T00:00:00.000Z' } })).status).toBe(403);
    expect((await movable.call('PUT', '/platform/clock', { body: { now: '2031-01-01T00:00:00.000Z' } })).status).toBe(401);
    expect(Date.parse(String((await movable.call('GET', '/platform/clock', { token: admin })).body.now))).toBeLessThan(Date.parse('2031-01-01T00:00:00.000Z'));
  });

  it('does not exist unless CLOCK_CONTROL=on', async () => {
    const token = await fixed.token({ role: 'platformAdmin', userId: 'ops-olga', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
    expect((await fixed.call('PUT', '/platform/clock', { token, body: { now: '2030-01-15T09:00:00.000Z' } })).status).toBe(404);
  });

  it('is refused in production, naming the variable', async () => {
    await expect(startService(definition, { DATABASE_URL: movable.db.appUrl, KAFKA_BROKERS: '127.0.0.1:9092', NODE_ENV: 'production', CLOCK_CONTROL: 'on' })).rejects.toThrow(/CLOCK_CONTROL must be off in production/);
  });
});
