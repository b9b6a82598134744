export * from './infra';
export * from './provision';
export * from './ports';
