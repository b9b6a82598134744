import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Inject, Module, type DynamicModule } from '@nestjs/common';
import { privacyMigrations, type PrivacyVault } from '@tremplin/privacy';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tremplin/testing';
import { startService, type RunningService, type ServiceDefinition } from './bootstrap';
import { baseConfigSchema, type BaseConfig } from './config';
import { platformMigrations } from './migrations';
import { PlatformModule } from './platform.module';
import { PRIVACY_VAULT } from './tokens';

// A service that records personal data asks the kit for the vault ({ privacy: true }) instead of wiring its own.

@Controller('probe-privacy')
class PrivacyProbeController {
  constructor(@Inject(PRIVACY_VAULT) private readonly vault: PrivacyVault) {}

  @Get()
  async roundTrip() {
    const sealed = await this.vault.encryptFields('ccas-probe', 'p-1', { name: 'Jeanne Martin' }, ['name']);
    return { sealed: JSON.stringify(sealed).includes('Jeanne') ? 'clear' : 'sealed', opened: await this.vault.decryptFields('ccas-probe', sealed) };
  }
}

@Module({})
class PrivacyProbeModule {
  static register(config: BaseConfig): DynamicModule {
    return { module: PrivacyProbeModule, imports: [PlatformModule.forRoot('probe', config, { privacy: true })], controllers: [PrivacyProbeController] };
  }
}

const definition: ServiceDefinition<typeof baseConfigSchema> = {
  name: 'probe',
  description: 'privacy probe',
  configSchema: baseConfigSchema,
  migrations: [...platformMigrations, privacyMigrations],
  module: (config) => PrivacyProbeModule.register(config),
};

let db: TestDatabase;
let keysDir: string;
let app: RunningService | undefined;

beforeAll(async () => {
  db = await createTestDatabase('kit_privacy');
  keysDir = await mkdtemp(join(tmpdir(), 'kit-privacy-'));
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  await rm(keysDir, { recursive: true, force: true });
});

const env = (extra: Record<string, string>) => ({ PORT: '0', DATABASE_URL: db.appUrl, MIGRATION_DATABASE_URL: db.ownerUrl, KAFKA_BROKERS: kafkaBrokers().join(','), LOG_LEVEL: 'silent', ...extra });

describe('the privacy vault from the kit', () => {
  it('seals and opens personal fields with per-person keys', async () => {
    app = await startService(definition, env({ PRIVACY_DEV_KEYS_DIR: keysDir }));
    const reply = await fetch(`${app.url}/probe-privacy`);
    expect(await reply.json()).toEqual({ sealed: 'sealed', opened: { name: 'Jeanne Martin' } });
  });

  it('refuses to start in production without a master key, and names a malformed previous key', async () => {
    await expect(startService(definition, env({ NODE_ENV: 'production', AUTH_ISSUER: 'https://idp.example', AUTH_JWKS_URL: 'https://idp.example/jwks' }))).rejects.toThrow(/PRIVACY_MASTER_KEY is required in production/);
    await expect(startService(definition, env({ PRIVACY_DEV_KEYS_DIR: keysDir, PRIVACY_PREVIOUS_MASTER_KEYS: 'not base64!' }))).rejects.toThrow(/PRIVACY_PREVIOUS_MASTER_KEYS must be base64/);
  });
});
