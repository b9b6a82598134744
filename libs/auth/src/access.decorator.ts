import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '@tremplin/tenancy';
import type { RouteClass } from './access-matrix';
import type { AuthenticatedRequest } from './auth.guard';

export const ACCESS_METADATA = 'tremplin:access';
export const PUBLIC_ACCESS = '$public';

/** Declares the route class of a handler (or of every handler of a controller); the guard applies the matrix. */
export const Access = (routeClass: RouteClass) => SetMetadata(ACCESS_METADATA, routeClass);

/** For the few routes without identity (health, metrics, OpenAPI). Every other route must declare @Access. */
export const Public = () => SetMetadata(ACCESS_METADATA, PUBLIC_ACCESS);

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().tremplin?.principal;
});
