export * from './postgres-event-store';
export * from './subscriber';
export * from './snapshot-store';
export * from './audit-reads';
export * from './rebuild';
export * from './row-projection';
export * from './row-table';
export * from './replay-check';
