export * from './bootstrap';
export * from './config';
export * from './health';
export * from './metrics';
export * from './platform.module';
export * from './http/errors';
export * from './http/validation';
