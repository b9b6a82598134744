import { Module, type DynamicModule, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { AuditAccessRecorder } from './audit-access';
import { AUDIT_ACCESS_RECORDER, AuthGuard, TOKEN_VERIFIER } from './auth.guard';
import type { AuthConfig } from './config';
import { RequestContextInterceptor } from './request-context.interceptor';
import { createTokenVerifier, type VerifierOptions } from './verifier';

export interface AuthModuleOptions {
  readonly config: AuthConfig | VerifierOptions;
  /** Where auditors' accesses are recorded, e.g. postgresAuditAccessRecorder(pool) built from injected providers. */
  readonly auditRecorder:
    | { readonly useValue: AuditAccessRecorder }
    | { readonly useFactory: (...deps: never[]) => AuditAccessRecorder | Promise<AuditAccessRecorder>; readonly inject?: InjectionToken[] };
  readonly imports?: ModuleMetadata['imports'];
}

/** Installs the guard and the context interceptor for every route of the application. */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: TOKEN_VERIFIER, useFactory: () => createTokenVerifier(options.config) },
        { provide: AUDIT_ACCESS_RECORDER, ...options.auditRecorder },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
      ],
      exports: [TOKEN_VERIFIER],
    };
  }
}
