export * from './context';
export * from './correlation';
export * from './metadata';
export * from './message-context';
export * from './rls';
