import type { RecordedEvent } from './envelope';

/** Turns one stored schema version of an event type into the next one; stored events are never rewritten. */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  readonly upcast: (data: unknown, event: RecordedEvent) => unknown;
}

export interface UpcasterRegistry {
  upcast<T = unknown>(event: RecordedEvent): RecordedEvent<T>;
  /** The schema version new events of this type are written with. */
  currentVersion(type: string): number;
}

export class UpcasterConflictError extends Error {
  readonly code = 'UPCASTER_CONFLICT';
  constructor(type: string, fromVersion: number) {
    super(`two upcasters for ${type} v${fromVersion}`);
    this.name = 'UpcasterConflictError';
  }
}

export function createUpcasterRegistry(upcasters: readonly Upcaster[] = []): UpcasterRegistry {
  const byKey = new Map<string, Upcaster>();
  const latest = new Map<string, number>();
  for (const upcaster of upcasters) {
    const key = `${upcaster.type}@${upcaster.fromVersion}`;
    if (byKey.has(key)) throw new UpcasterConflictError(upcaster.type, upcaster.fromVersion);
    byKey.set(key, upcaster);
    latest.set(upcaster.type, Math.max(latest.get(upcaster.type) ?? 1, upcaster.fromVersion + 1));
  }
  return {
    upcast<T>(event: RecordedEvent): RecordedEvent<T> {
      let current = event;
      for (let next = byKey.get(`${current.type}@${current.schemaVersion}`); next; next = byKey.get(`${current.type}@${current.schemaVersion}`)) {
        current = { ...current, schemaVersion: current.schemaVersion + 1, data: next.upcast(current.data, current) };
      }
      return current as RecordedEvent<T>;
    },
    currentVersion: (type) => latest.get(type) ?? 1,
  };
}
