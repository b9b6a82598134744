import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { correlationIdFrom, runInContext } from '@tremplin/tenancy';
import type { AuthenticatedRequest } from './auth.guard';
import { CORRELATION_ID_HEADER } from './auth.guard';

/**
 * Runs the handler inside the request's context (tenant, correlation id, actor), so every withTransaction of
 * @tremplin/pg sets app.tenant_id and every event gets its metadata. The handler is started inside the
 * AsyncLocalStorage scope: Nest binds the handler call to the async context in which handle() is called.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const context = request.tremplin?.context ?? { correlationId: correlationIdFrom(request.headers[CORRELATION_ID_HEADER]) };
    return new Observable((subscriber) => runInContext(context, () => next.handle().subscribe(subscriber)));
  }
}
