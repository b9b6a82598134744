import { ContractViolationError, contractRegistry, type ContractRegistry, type Envelope } from '@tremplin/contracts';
import type { AppendResult, ExpectedVersion, NewEvent, RecordedEvent, StreamRef } from '@tremplin/event-sourcing';
import { withTransaction, type Pool, type PoolClient } from '@tremplin/pg';
import { headersOf } from './headers';
import { notifyOutbox } from './relay';

/** What appendWithOutbox needs from an event store: an append that joins the caller's transaction. */
export interface TransactionalEventStore {
  append(stream: StreamRef, events: NewEvent[], expected: ExpectedVersion, options: { tx: PoolClient }): Promise<AppendResult>;
}

/**
 * Writes integration events to the outbox inside the caller's transaction; they leave only if it commits.
 * Each payload is checked against its contract here, on the write path, where a mistake can still be refused.
 * Enqueueing a message id twice is a no-op. Returns how many rows were new. After the commit, call
 * notifyOutbox(pool) so that an idle relay publishes at once rather than at its next poll.
 */
export async function enqueue(tx: PoolClient, envelopes: readonly Envelope[], registry: ContractRegistry = contractRegistry): Promise<number> {
  if (envelopes.length === 0) return 0;
  const columns = { messageId: [] as string[], name: [] as string[], topic: [] as string[], key: [] as string[], headers: [] as string[], payload: [] as string[], tenantId: [] as string[] };
  for (const envelope of envelopes) {
    const contract = registry.get(envelope.name);
    if (!contract) throw new ContractViolationError('UNKNOWN_CONTRACT', envelope.name, `no contract named ${envelope.name} is registered`);
    const parsed = contract.schema.safeParse(envelope.payload);
    if (!parsed.success) throw new ContractViolationError('INVALID_PAYLOAD', contract.name, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if ((parsed.data as { tenantId: string }).tenantId !== envelope.tenantId) {
      throw new ContractViolationError('TENANT_MISMATCH', contract.name, 'envelope and payload name different tenants');
    }
    columns.messageId.push(envelope.messageId);
    columns.name.push(envelope.name);
    columns.topic.push(contract.topic);
    columns.key.push(contract.key(parsed.data));
    columns.headers.push(JSON.stringify(headersOf(envelope)));
    columns.payload.push(JSON.stringify({ ...envelope, payload: parsed.data }));
    columns.tenantId.push(envelope.tenantId);
  }
  const result = await tx.query(
    `INSERT INTO messaging.outbox (message_id, name, topic, key, headers, payload, tenant_id)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::text[])
     ON CONFLICT (message_id) DO NOTHING`,
    [columns.messageId, columns.name, columns.topic, columns.key, columns.headers, columns.payload, columns.tenantId],
  );
  return result.rowCount ?? 0;
}

export interface AppendWithOutboxResult extends AppendResult {
  readonly messages: readonly Envelope[];
}

/**
 * One transaction: the domain events and the integration events they cause commit together or not at all.
 * `toMessages` maps the recorded events (with their versions and positions) to envelopes; use
 * deriveMessageId(event.eventId, contract.name) for their ids so a retried command cannot publish twice.
 */
export async function appendWithOutbox(
  store: TransactionalEventStore,
  pool: Pool,
  stream: StreamRef,
  events: NewEvent[],
  expected: ExpectedVersion,
  toMessages: (recorded: ReadonlyArray<RecordedEvent>) => readonly Envelope[],
  options: { registry?: ContractRegistry } = {},
): Promise<AppendWithOutboxResult> {
  const result = await withTransaction(
    pool,
    async (tx) => {
      const result = await store.append(stream, events, expected, { tx });
      const messages = toMessages(result.events);
      for (const message of messages) {
        if (message.tenantId !== stream.tenantId) {
          throw new ContractViolationError('TENANT_MISMATCH', message.name, `stream of tenant ${stream.tenantId} cannot publish for ${message.tenantId}`);
        }
      }
      await enqueue(tx, messages, options.registry);
      return { ...result, messages };
    },
    { tenantId: stream.tenantId },
  );
  if (result.messages.length > 0) await notifyOutbox(pool);
  return result;
}
