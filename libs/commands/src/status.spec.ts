import { DOMAIN_ERROR_KINDS } from '@tremplin/event-sourcing';
import { httpStatusOf } from './status';

describe('the status of a refusal', () => {
  it('maps every kind, rules to 400 and state conflicts to 409', () => {
    expect(Object.fromEntries(DOMAIN_ERROR_KINDS.map((kind) => [kind, httpStatusOf(kind)]))).toEqual({ rule: 400, state: 409, forbidden: 403, notFound: 404, conflict: 409 });
  });
});
