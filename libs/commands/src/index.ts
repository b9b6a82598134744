export * from './executor';
export * from './idempotency';
export * from './status';
