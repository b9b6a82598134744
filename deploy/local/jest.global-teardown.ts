import type { Infra } from './infra';

const state = globalThis as unknown as { __tremplinInfra?: { infra: Promise<Infra>; users: number } };

export default async function globalTeardown(): Promise<void> {
  const shared = state.__tremplinInfra;
  if (!shared) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  state.__tremplinInfra = undefined;
  await (await shared.infra).stop();
}
