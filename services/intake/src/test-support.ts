import { DomainError } from '@tremplin/event-sourcing';
import type { Sealed } from './sealed';

/** An opaque sealed value for decider specs: deciders never open one, so any envelope will do. */
export const sealed = (label: string): Sealed => ({ $pii: { k: 'key-of-person', iv: `iv-${label}`, ct: `ct-${label}`, tag: `tag-${label}` } });

export const refusedWith = (kind: DomainError['kind'], code: string, field?: string) => (error: unknown) =>
  error instanceof DomainError && error.kind === kind && error.code === code && (field === undefined || error.field === field);
