import { assertIsoDate, compareDates, type IsoDate } from './dates';
import { FinanceError } from './errors';
import { assertPositiveCents, formatBasisPoints, type BasisPoints, type Cents } from './money';

// Seuils de l'usure for consumer loans to individuals ("prêts à la consommation", code de la
// consommation L. 314-6), published quarterly by the Banque de France. Bands as the published notices
// word them: "montant inférieur ou égal à 3 000 €", "supérieur à 3 000 € et inférieur ou égal à
// 6 000 €", "supérieur à 6 000 €" — so 3 000,00 € is in the first band and 3 000,01 € in the second.
export type UsuryBand = 'upTo3000' | 'from3000To6000' | 'over6000';

export interface UsuryCapTable {
  readonly effectiveFrom: IsoDate;
  // Last day in force. Caps are published for one quarter only: past it an offer cannot be checked
  // against a stale cap, so the table must be extended (by configuration) with the next notice.
  readonly effectiveUntil: IsoDate;
  readonly caps: Readonly<Record<UsuryBand, BasisPoints>>;
}

// Values of the quarterly notices as reported by the press at publication (see README for sources).
export const USURY_CAP_TABLES: readonly UsuryCapTable[] = [
  { effectiveFrom: '2024-10-01', effectiveUntil: '2024-12-31', caps: { upTo3000: 2271, from3000To6000: 1459, over6000: 829 } },
  { effectiveFrom: '2025-01-01', effectiveUntil: '2025-03-31', caps: { upTo3000: 2293, from3000To6000: 1516, over6000: 851 } },
  { effectiveFrom: '2025-04-01', effectiveUntil: '2025-06-30', caps: { upTo3000: 2324, from3000To6000: 1567, over6000: 863 } },
  { effectiveFrom: '2025-07-01', effectiveUntil: '2025-09-30', caps: { upTo3000: 2339, from3000To6000: 1579, over6000: 869 } },
  { effectiveFrom: '2025-10-01', effectiveUntil: '2025-12-31', caps: { upTo3000: 2349, from3000To6000: 1571, over6000: 873 } },
  { effectiveFrom: '2026-01-01', effectiveUntil: '2026-03-31', caps: { upTo3000: 2356, from3000To6000: 1587, over6000: 867 } },
];

export interface UsuryCap {
  readonly band: UsuryBand;
  readonly capBasisPoints: BasisPoints;
  readonly cap: string;
  readonly effectiveFrom: IsoDate;
}

export type UsuryCheck = { readonly ok: true; readonly cap: UsuryCap } | { readonly ok: false; readonly exceeded: true; readonly cap: UsuryCap; readonly taegBasisPoints: BasisPoints };

const THREE_THOUSAND_EUROS = 300_000;
const SIX_THOUSAND_EUROS = 600_000;

export function usuryBandFor(amount: Cents): UsuryBand {
  assertPositiveCents(amount, 'amount');
  if (amount <= THREE_THOUSAND_EUROS) return 'upTo3000';
  if (amount <= SIX_THOUSAND_EUROS) return 'from3000To6000';
  return 'over6000';
}

export function usuryCapFor(amount: Cents, offerDate: IsoDate, tables: readonly UsuryCapTable[] = USURY_CAP_TABLES): UsuryCap {
  const band = usuryBandFor(amount);
  assertIsoDate(offerDate, 'offerDate');
  const inForce = tables.filter((table) => compareDates(table.effectiveFrom, offerDate) <= 0 && compareDates(offerDate, table.effectiveUntil) <= 0);
  if (inForce.length === 0) {
    throw new FinanceError('USURY_TABLE_MISSING', 'offerDate', `no usury cap table is in force on ${offerDate}`);
  }
  // Overlapping tables should not exist; if they do, the most recent notice wins.
  const table = inForce.reduce((latest, candidate) => (compareDates(candidate.effectiveFrom, latest.effectiveFrom) > 0 ? candidate : latest));
  const capBasisPoints = table.caps[band];
  return { band, capBasisPoints, cap: formatBasisPoints(capBasisPoints), effectiveFrom: table.effectiveFrom };
}

// A loan is usurious when its TAEG *exceeds* the cap (L. 314-6: "qui excède"); equal to the cap is lawful.
export function checkUsury(taegBasisPoints: BasisPoints, amount: Cents, offerDate: IsoDate, tables: readonly UsuryCapTable[] = USURY_CAP_TABLES): UsuryCheck {
  // A TAEG is not bounded like a nominal rate (it may even be negative), only required to be whole basis points.
  if (!Number.isSafeInteger(taegBasisPoints)) throw new FinanceError('RATE_INVALID', 'taegBasisPoints', `expected integer basis points, got ${String(taegBasisPoints)}`);
  const cap = usuryCapFor(amount, offerDate, tables);
  return taegBasisPoints > cap.capBasisPoints ? { ok: false, exceeded: true, cap, taegBasisPoints } : { ok: true, cap };
}
