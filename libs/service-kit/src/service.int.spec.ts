import { Module, type DynamicModule } from '@nestjs/common';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tremplin/testing';
import { z } from 'zod';
import { baseConfigSchema, type BaseConfig } from './config';
import { startService, type RunningService, type ServiceDefinition } from './bootstrap';
import { PlatformModule } from './platform.module';

@Module({})
class ProbeModule {
  static register(config: BaseConfig): DynamicModule {
    return { module: ProbeModule, imports: [PlatformModule.forRoot('probe', config)] };
  }
}

const definition: ServiceDefinition<typeof baseConfigSchema> = {
  name: 'probe',
  description: 'service kit probe',
  configSchema: baseConfigSchema,
  migrations: [],
  module: (config) => ProbeModule.register(config),
};

describe('a service started with the service kit', () => {
  let db: TestDatabase;
  const running: RunningService[] = [];
  const env = (overrides: Record<string, string>) => ({ PORT: '0', DATABASE_URL: db.appUrl, KAFKA_BROKERS: kafkaBrokers().join(','), LOG_LEVEL: 'silent', ...overrides });

  beforeAll(async () => {
    db = await createTestDatabase('service_kit');
  });
  afterAll(async () => {
    await Promise.all(running.map((s) => s.close()));
    await db.drop();
  });

  it('is ready when its Postgres and Kafka answer, and serves /health, /metrics and /docs', async () => {
    const service = await startService(definition, env({}));
    running.push(service);
    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ readiness: true, liveness: true, details: { postgres: { status: 'up' }, kafka: { status: 'up' } } });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('process_cpu_user_seconds_total{service="probe"}');
    expect(metrics).toContain('http_request_duration_seconds_bucket');
    const docs = (await (await fetch(`${service.url}/docs/json`)).json()) as { openapi: string; info: { title: string } };
    expect(docs).toMatchObject({ openapi: expect.stringMatching(/^3\./), info: { title: 'Tremplin probe' } });
  });

  it('echoes the caller correlation id, or makes one', async () => {
    const service = running[0];
    const given = await fetch(`${service.url}/health/live`, { headers: { 'x-correlation-id': 'corr-123' } });
    expect(given.headers.get('x-correlation-id')).toBe('corr-123');
    const made = await fetch(`${service.url}/health/live`);
    expect(made.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('with a wrong KAFKA_BROKERS stays alive but is not ready, naming Kafka', async () => {
    const service = await startService(definition, env({ KAFKA_BROKERS: '127.0.0.1:1' }));
    running.push(service);
    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { code: string; readiness: boolean; message: string };
    expect(body).toMatchObject({ code: 'NOT_READY', readiness: false });
    expect(body.message).toMatch(/^not ready: kafka: /);
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
  });

  it('refuses to start with a clear message naming each missing or wrong variable', async () => {
    await expect(startService(definition, { PORT: 'abc', KAFKA_BROKERS: 'not a list' })).rejects.toThrow(
      /probe: invalid configuration: PORT must be a port number; DATABASE_URL is required.*; KAFKA_BROKERS must be a comma-separated list of host:port/,
    );
  });

  it('refuses an inbox retention shorter than the longest topic retention, naming the variable', async () => {
    await expect(startService(definition, env({ INBOX_RETENTION_DAYS: '30' }))).rejects.toThrow(/probe: invalid configuration: INBOX_RETENTION_DAYS the inbox retention \(30 days\) must exceed the longest topic retention: at least 91 days/);
  });

  it('a service-specific variable is validated the same way', async () => {
    const schema = baseConfigSchema.extend({ GUARANTEE_SHARE_BPS: z.coerce.number().int().min(0).max(10_000) });
    await expect(startService({ ...definition, configSchema: schema as unknown as typeof baseConfigSchema }, env({ GUARANTEE_SHARE_BPS: '20000' }))).rejects.toThrow(/GUARANTEE_SHARE_BPS/);
  });
});
