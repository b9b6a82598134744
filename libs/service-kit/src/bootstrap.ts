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
  app.enableShutdownHooks();
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

/** Entry point of a service process: a configuration problem is one clear line and exit code 1. */
export function runServiceMain<S extends typeof baseConfigSchema>(definition: ServiceDefinition<S>): void {
  startService(definition).catch((error: unknown) => {
    const message = error instanceof ConfigError ? error.message : `${definition.name}: failed to start: ${(error as Error).message ?? error}`;
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service: definition.name, msg: message })}\n`);
    process.exit(1);
  });
}
