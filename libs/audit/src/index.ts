export * from './merkle';
export * from './chains';
export * from './checkpoint';
export * from './signing-key';
export * from './session';
export { main as auditCli, EXIT as AUDIT_EXIT, auditFold, type AuditFold, type CliIo } from './cli';
export * from './integration-log';
export * from './service-audit';
