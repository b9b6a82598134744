import type { ServiceName } from '@tremplin/local-infra';
import type { RunningPlatform } from './platform-processes';
import type { Reply } from './service-harness';

/** A step of a journey that must succeed: its answer, or an error naming the step with the service's answer. */
export function expectOk(reply: Reply, what: string): Reply {
  if (reply.status >= 300) throw new Error(`${what} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply;
}

const adminTokens = new WeakMap<object, Promise<string>>();

/**
 * Every named service's movable clock to the same instant, frozen (CLOCK_CONTROL=on, ADR 0008): a journey moves
 * through months in seconds, the services agreeing on the day. Clocks never go back (409 CLOCK_BACKWARDS).
 */
export async function moveClocks(platform: Pick<RunningPlatform, 'call' | 'token'>, services: readonly ServiceName[], instant: string): Promise<void> {
  let token = adminTokens.get(platform);
  if (!token) {
    token = platform.token({ role: 'platformAdmin', userId: 'ops-clock', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
    adminTokens.set(platform, token);
  }
  for (const service of services) {
    expectOk(await platform.call(service, 'PUT', '/platform/clock', { token: await token, body: { now: instant, mode: 'frozen' } }), `clock of ${service}`);
  }
}
