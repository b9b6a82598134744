import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvent, type Aggregate, type RecordedEvent } from '@tremplin/event-sourcing';
import type { Projection, ReplayCheck } from '@tremplin/event-store-postgres';
import type { Pool } from 'pg';
import type { AuditFold } from './cli';
import type { IntegrationLogSource } from './integration-log';

/** A read model rebuilt some other way than from the event store (reporting's from its consumed log), checked the same. */
export interface ReadModelCheck {
  readonly name: string;
  /** Replays into the live tables inside a transaction it always rolls back, and compares digests tenant by tenant. */
  check(pool: Pool, onProgress?: (events: number) => void): Promise<ReplayCheck>;
}

/**
 * What one service hands the auditor's CLI from its own `src/audit.ts` (a shared lib may not import a service):
 * the folds of its aggregates for `history --state`, its read models for `replay-check`, and the log of integration
 * events it keeps, if any, for verify/checkpoint/consistency.
 */
export interface ServiceAudit {
  readonly service: string;
  readonly folds?: readonly AuditFold[];
  readonly projections?: readonly Projection[];
  readonly readModelChecks?: readonly ReadModelCheck[];
  readonly integrationLog?: IntegrationLogSource;
}

/** A service's aggregate as a fold: the same decider `evolve`, upcasters and codec the service folds with. */
export function aggregateFold<Event extends { type: string; data: unknown }, State>(aggregate: Aggregate<never, Event, State>): AuditFold {
  return {
    category: aggregate.category,
    initialState: () => aggregate.decider.initialState(),
    evolve: (state, event) => aggregate.decider.evolve(state as State, event as Event),
    // Upcasters and codecs read only the type, version and data of a stored event.
    decode: (event) => decodeEvent(aggregate, event as unknown as RecordedEvent),
  };
}

const repo = join(__dirname, '..', '..', '..');

/**
 * Every service's audit module, found by path as deploy/migrate.ts finds service definitions (the lib imports no
 * service statically): `services/<name>/src/audit.ts` exporting `audit`. A service without one is simply absent.
 */
export function loadServiceAudits(services: readonly string[], root = repo): ServiceAudit[] {
  const found: ServiceAudit[] = [];
  for (const name of services) {
    const path = join(root, 'services', name, 'src', 'audit');
    if (!existsSync(`${path}.ts`) && !existsSync(`${path}.js`)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { audit } = require(path) as { audit?: ServiceAudit };
    if (!audit || audit.service !== name) throw new Error(`services/${name}/src/audit must export audit with service "${name}"`);
    found.push(audit);
  }
  return found;
}
