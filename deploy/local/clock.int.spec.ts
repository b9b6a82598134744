import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { baseConfigSchema, PlatformModule, type BaseConfig, type ServiceDefinition } from '@tremplin/service-kit';
import { startServiceHarness, type ServiceHarness } from '@tremplin/testing';
import { clockCli } from './clock.cli';

// npm run clock against real services: two with a movable clock are moved together; one without says why not.

@Module({})
class ProbeModule {
  static register(config: BaseConfig): DynamicModule {
    return { module: ProbeModule, imports: [PlatformModule.forRoot('probe', config)] };
  }
}
const definition: ServiceDefinition<typeof baseConfigSchema> = { name: 'probe', description: 'clock cli probe', configSchema: baseConfigSchema, migrations: [], module: (config) => ProbeModule.register(config) };

const harnesses: ServiceHarness[] = [];
let keysDir = '';

beforeAll(async () => {
  // One dev key for the three services, as npm start does: the CLI signs its platform-admin token with it.
  keysDir = await mkdtemp(join(tmpdir(), 'clock-cli-keys-'));
  for (const env of [{ CLOCK_CONTROL: 'on' }, { CLOCK_CONTROL: 'on' }, {}] as Array<Record<string, string>>) harnesses.push(await startServiceHarness({ name: 'clock_cli', service: definition, tenant: 'ccas-probe', env, keysDir }));
});

afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  await rm(keysDir, { recursive: true, force: true });
});

it('moves every movable service to the instant, frozen, and names the service that is not movable', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const urls = harnesses.flatMap((h) => ['--url', h.app.url]);
  const code = await clockCli(['2031-05-04T08:00:00Z', '--frozen', ...urls], { AUTH_DEV_KEYS_DIR: keysDir }, (t) => out.push(t), (t) => err.push(t));
  expect(code).toBe(1);
  expect(out).toEqual([`${harnesses[0].app.url}  2031-05-04T08:00:00.000Z  frozen\n`, `${harnesses[1].app.url}  2031-05-04T08:00:00.000Z  frozen\n`]);
  expect(err.join('')).toContain(`${harnesses[2].app.url}  404`);
  expect(err.join('')).toContain('CLOCK_CONTROL=on');
  const shown: string[] = [];
  expect(await clockCli(['--url', harnesses[0].app.url], { AUTH_DEV_KEYS_DIR: keysDir }, (t) => shown.push(t), () => undefined)).toBe(0);
  expect(shown).toEqual([`${harnesses[0].app.url}  2031-05-04T08:00:00.000Z  frozen\n`]);
});

it('refuses a malformed instant with a usage error', async () => {
  const err: string[] = [];
  expect(await clockCli(['next tuesday'], {}, () => undefined, (t) => err.push(t))).toBe(2);
  expect(err.join('')).toMatch(/is not an instant/);
});
