import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { z } from 'zod';
import { contractRegistry } from '@tremplin/contracts';
import { checkPurgeRetention } from '@tremplin/messaging';
import { runMigrations, type MigrationSource } from '@tremplin/pg';
import { ConfigError, loadConfig, type BaseConfig, type baseConfigSchema } from './config';
import { ApiExceptionFilter, bodyErrorOf } from './http/errors';

export interface ServiceDefinition<S extends typeof baseConfigSchema> {
  readonly name: string;
  readonly description: string;
  readonly configSchema: S;
  readonly migrations: readonly MigrationSource[];
  readonly module: (config: z.infer<S>) => DynamicModule;
}

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts one service: validated config (exit 1 naming the bad variable), migrations when an owner URL is given,
 * JSON logs, OpenAPI at /docs, and graceful shutdown on SIGTERM/SIGINT (Nest's shutdown hooks drain consumers
 * and close pools).
 */
export async function startService<S extends typeof baseConfigSchema>(
  definition: ServiceDefinition<S>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService> {
  const config = loadConfig(definition.name, definition.configSchema, env) as z.infer<S> & BaseConfig;
  if (config.CLOCK_CONTROL === 'on' && config.NODE_ENV === 'production') throw new ConfigError(definition.name, ['CLOCK_CONTROL must be off in production (a movable clock is for demos and tests)']);
  try {
    // The inbox must outlive every copy of a message Kafka could still deliver (dead-letter topics included).
    checkPurgeRetention({ outboxRetentionDays: config.OUTBOX_RETENTION_DAYS, inboxRetentionDays: config.INBOX_RETENTION_DAYS }, Math.max(...contractRegistry.topicsToCreate().map((spec) => spec.retentionMs)));
  } catch (error) {
    throw new ConfigError(definition.name, [`INBOX_RETENTION_DAYS ${(error as Error).message}`]);
  }
  if (config.MIGRATION_DATABASE_URL) await runMigrations(config.MIGRATION_DATABASE_URL, definition.migrations);
  // abortOnError off: a provider that fails at start (a missing key) rejects here, and runServiceMain exits 1 naming it.
  const app = await NestFactory.create<NestExpressApplication>(definition.module(config), { bufferLogs: true, bodyParser: false, abortOnError: false });
  app.useLogger(app.get(Logger));
  harden(app, config);
  app.useGlobalFilters(new ApiExceptionFilter());
  if (config.OPENAPI_DOCS === 'on') {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle(`Tremplin ${definition.name}`).setDescription(definition.description).setVersion('1').addBearerAuth().build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  }
  await app.listen(config.PORT, config.HOST);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  app.get(Logger).log({ url }, `${definition.name} listening on ${url}`);
  return { url, close: () => app.close() };
}

/**
 * What every service's HTTP answers carry (docs/security.md): no X-Powered-By, helmet's headers (nosniff, frame
 * denial, a same-origin CSP), `Cache-Control: no-store` (answers carry case data), CORS only for the configured
 * origins, and JSON bodies up to HTTP_BODY_LIMIT (a larger one is a 413, an unreadable one a 400, both in the
 * platform's error body without echoing it).
 */
function harden(app: NestExpressApplication, config: BaseConfig): void {
  app.disable('x-powered-by');
  app.use(
    helmet({
      // Swagger UI at /docs needs its own inline styles; nothing else is served as HTML by the APIs.
      contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'] } },
      crossOriginResourcePolicy: { policy: 'same-origin' },
    }),
  );
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  if (config.CORS_ORIGINS.length) {
    app.enableCors({ origin: config.CORS_ORIGINS, methods: ['GET', 'POST'], allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Correlation-Id'], exposedHeaders: ['X-Correlation-Id', 'Idempotent-Replayed'], maxAge: 600 });
  }
  app.useBodyParser('json', { limit: config.HTTP_BODY_LIMIT });
  // Right after the parser: its errors become the platform's before Nest maps them (it would echo their message).
  app.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => next(bodyErrorOf(error) ?? error));
}

const SHUTDOWN_GRACE_MS = 20_000;

/**
 * Entry point of a service process: a configuration problem is one clear line and exit code 1; SIGTERM/SIGINT
 * close the app (consumers drained, outbox relay stopped, pools closed by their shutdown hooks), then exit 0.
 */
export function runServiceMain<S extends typeof baseConfigSchema>(definition: ServiceDefinition<S>): void {
  const fatal = (message: string) => process.stderr.write(`${JSON.stringify({ level: 'fatal', service: definition.name, msg: message })}\n`);
  startService(definition).then(
    (service) => {
      let closing = false;
      const shutdown = (signal: NodeJS.Signals) => {
        if (closing) return;
        closing = true;
        // A hung hook must not keep a stopped service alive forever.
        setTimeout(() => {
          fatal(`${definition.name}: shutdown after ${signal} took over ${SHUTDOWN_GRACE_MS} ms; exiting`);
          process.exit(1);
        }, SHUTDOWN_GRACE_MS).unref();
        service.close().then(
          () => process.exit(0),
          (error: unknown) => {
            fatal(`${definition.name}: shutdown failed: ${(error as Error).message ?? error}`);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    },
    (error: unknown) => {
      fatal(error instanceof ConfigError ? error.message : `${definition.name}: failed to start: ${(error as Error).message ?? error}`);
      process.exit(1);
    },
  );
}
