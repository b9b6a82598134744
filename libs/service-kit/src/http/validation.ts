import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ApiError, type FieldError } from './errors';

/**
 * Validates a value against a strict zod schema: unknown fields (a `tenantId` or `status` smuggled in) and broken
 * rules answer 400 naming each field; the handler, and so any write, never runs.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, code: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap(toFieldErrors);
  throw new ApiError(400, code, errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors[0]?.field, errors);
}

@Injectable()
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    return parseWith(this.schema, value, 'VALIDATION_FAILED');
  }
}

function toFieldErrors(issue: z.core.$ZodIssue): FieldError[] {
  const base = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: base ? `${base}.${key}` : key, rule: 'unknown_field', message: 'is not an accepted field' }));
  }
  return [{ field: base || '(body)', rule: issue.code, message: issue.message }];
}
