export * from './contract';
export * from './envelope';
export * from './fields';
export * from './topics';
export * from './registry';
export * from './personal-data';
export * from './intake.contracts';
export * from './lending.contracts';
