import { Module, Param, type DynamicModule } from '@nestjs/common';
import { z } from 'zod';
import type { Outcome } from '@tremplin/commands';
import { startServiceHarness, type ServiceHarness } from '@tremplin/testing';
import type { ServiceDefinition } from '../bootstrap';
import { baseConfigSchema, type BaseConfig } from '../config';
import { PlatformModule } from '../platform.module';
import { ApiController, Command, CommandRoute, QueryRoute, type CommandInput } from './command-route';

// The kit's routes on a real service (real PostgreSQL, Kafka, tokens): path parameters are validated like bodies,
// after the guard and before the handler, and documented with their schema.

const TENANT = 'ccas-probe';
const handled: string[] = [];
const fileId = z.string().regex(/^file-[a-z0-9]{4,32}$/, 'a file id: file- and 4–32 letters or digits');

@ApiController('tenants/:tenantId/probe-files', 'probe')
class ProbeController {
  @QueryRoute({ path: ':fileId', access: 'guarantee.read', summary: 'read one', params: z.strictObject({ fileId }) })
  read(@Param('fileId') id: string) {
    handled.push(`read ${id}`);
    return { fileId: id };
  }

  @CommandRoute({ path: ':fileId/notes', body: z.strictObject({ text: z.string().max(20) }), access: 'guarantee.operate', summary: 'write one', params: z.strictObject({ fileId }) })
  async note(@Command() input: CommandInput<{ text: string }>): Promise<Outcome> {
    handled.push(`note ${input.params.fileId}`);
    return { kind: 'done', response: { statusCode: 200, body: { fileId: input.params.fileId } }, replayed: false };
  }
}

@Module({})
class ProbeModule {
  static register(config: BaseConfig): DynamicModule {
    return { module: ProbeModule, imports: [PlatformModule.forRoot('probe', config)], controllers: [ProbeController] };
  }
}

const definition: ServiceDefinition<typeof baseConfigSchema> = {
  name: 'probe',
  description: 'service kit route probe',
  configSchema: baseConfigSchema,
  migrations: [],
  module: (config) => ProbeModule.register(config),
};

let h: ServiceHarness;
let director = '';
let stranger = '';

beforeAll(async () => {
  h = await startServiceHarness({ name: 'kit_routes', service: definition, tenant: TENANT });
  director = await h.token({ role: 'ccasDirector', userId: 'dir-probe', organisationId: 'ccas-probe-org', organisationKind: 'ccas' });
  stranger = await h.token({ role: 'ccasDirector', userId: 'dir-other', organisationId: 'ccas-other-org', organisationKind: 'ccas', tenants: ['ccas-other'] });
});

afterAll(async () => {
  await h?.close();
});

describe('path parameters validated by the kit', () => {
  it('answers 400 naming the parameter, and the handler never runs', async () => {
    handled.length = 0;
    const read = await h.call('GET', `/tenants/${TENANT}/probe-files/FILE%20one`, { token: director });
    expect([read.status, read.body.code, read.body.field]).toEqual([400, 'VALIDATION_FAILED', 'fileId']);
    const note = await h.call('POST', `/tenants/${TENANT}/probe-files/x/notes`, { token: director, body: { text: 'hello' } });
    expect([note.status, note.body.code, note.body.field]).toEqual([400, 'VALIDATION_FAILED', 'fileId']);
    expect(handled).toEqual([]);
  });

  it('passes a valid parameter through to query and command handlers', async () => {
    handled.length = 0;
    const read = await h.call('GET', `/tenants/${TENANT}/probe-files/file-ab12`, { token: director });
    expect([read.status, read.body]).toEqual([200, { fileId: 'file-ab12' }]);
    const note = await h.call('POST', `/tenants/${TENANT}/probe-files/file-ab12/notes`, { token: director, body: { text: 'hello' } });
    expect([note.status, note.body]).toEqual([200, { fileId: 'file-ab12' }]);
    expect(handled).toEqual(['read file-ab12', 'note file-ab12']);
  });

  it('checks the caller before the parameter: another tenant still gets 404', async () => {
    const read = await h.call('GET', `/tenants/${TENANT}/probe-files/not-valid`, { token: stranger });
    expect(read.status).toBe(404);
  });

  it('documents each parameter with its schema', async () => {
    const docs = (await (await fetch(`${h.app.url}/docs/json`)).json()) as { paths: Record<string, { get?: { parameters: Array<{ name: string; schema: Record<string, unknown> }> } }> };
    const parameters = docs.paths['/tenants/{tenantId}/probe-files/{fileId}'].get!.parameters;
    expect(parameters.find((parameter) => parameter.name === 'fileId')?.schema).toMatchObject({ type: 'string', pattern: '^file-[a-z0-9]{4,32}$' });
    expect(parameters.find((parameter) => parameter.name === 'tenantId')).toBeDefined();
  });
});
