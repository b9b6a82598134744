import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { z } from 'zod';
import { runMigrations, type MigrationSource } from '@tremplin/pg';
import { ConfigError, loadConfig, type BaseConfig, type baseConfigSchema } from './config';
import { ApiExceptionFilter } from './http/errors';

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
  if (config.MIGRATION_DATABASE_URL) await runMigrations(config.MIGRATION_DATABASE_URL, definition.migrations);
  const app = await NestFactory.create(definition.module(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new ApiExceptionFilter());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(`Tremplin ${definition.name}`).setDescription(definition.description).setVersion('1').addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  await app.listen(config.PORT, config.HOST);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  app.get(Logger).log({ url }, `${definition.name} listening on ${url}`);
  return { url, close: () => app.close() };
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
