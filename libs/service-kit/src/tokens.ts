export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const COMMAND_EXECUTOR = Symbol('COMMAND_EXECUTOR');
export const CONTRACTS = Symbol('CONTRACTS');
export const KAFKA_TRANSPORT = Symbol('KAFKA_TRANSPORT');
export const READ_MODEL = Symbol('READ_MODEL');
export const POOL_WATCH = Symbol('POOL_WATCH');
