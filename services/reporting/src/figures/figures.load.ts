import { withTransaction, type Pool } from '@tremplin/pg';
import type { ApplicationFact } from '../facts/facts';
import { APPLICATION_FACT, ENVELOPE_FACT, LOAN_ACTIVITY, LOAN_FACT, selectRows } from '../facts/facts.store';
import type { FactSet, Period } from './figures.aggregate';

// A file transmitted up to a year before the period still gives the processing time of a decision within it.
const TRANSMISSION_LOOKBACK_DAYS = 366;

/**
 * The facts of a period for the tenants of a viewer's scope, read in one transaction that opens exactly those
 * tenants to row-level security (a query that forgot its filter would still see no other tenant).
 */
export function loadFacts(pool: Pool, tenants: readonly string[], period: Period, product?: string): Promise<FactSet> {
  if (tenants.length === 0) return Promise.resolve({ applications: [], loans: [], activity: [], envelopes: [] });
  return withTransaction(pool, async (tx) => {
    await tx.query(`SELECT set_config('app.tenant_ids', $1, true)`, [tenants.join(',')]);
    const productFilter = product ? ' AND product = $4' : '';
    const params = [tenants, period.from, period.to, ...(product ? [product] : [])];
    const applications: ApplicationFact[] = await selectRows(
      tx,
      APPLICATION_FACT,
      `tenant_id = ANY($1) AND transmitted_at >= $2::date - ${TRANSMISSION_LOOKBACK_DAYS} AND transmitted_at < $3::date${productFilter}`,
      params,
    );
    const during = (column: string) => `(${column} >= $2::date AND ${column} < $3::date)`;
    const loans = await selectRows(tx, LOAN_FACT, `tenant_id = ANY($1) AND (${during('approved_at')} OR ${during('refused_at')} OR ${during('disbursed_at')})${productFilter}`, params);
    const activity = await selectRows(tx, LOAN_ACTIVITY, `tenant_id = ANY($1) AND occurred_on >= $2::date AND occurred_on < $3::date${productFilter}`, params);
    const envelopes = product ? [] : await selectRows(tx, ENVELOPE_FACT, 'tenant_id = ANY($1)', [tenants]);
    return { applications, loans, activity, envelopes };
  });
}
