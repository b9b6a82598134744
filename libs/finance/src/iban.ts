// IBAN structure and check digits (ISO 13616, ISO 7064 MOD 97-10). Pure; the lengths are those of the SEPA
// countries a French CCAS pays into (a refund goes to the borrower's own account, almost always in France).
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22, GI: 23,
  GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28,
  PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, VA: 22,
};

export type IbanProblem = 'IBAN_FORMAT' | 'IBAN_COUNTRY' | 'IBAN_LENGTH' | 'IBAN_CHECKSUM';

/** Spaces removed and letters in capitals: "fr76 3000 …" → "FR763000…" (the form that is checked and stored). */
export function normaliseIban(iban: string): string {
  return iban.replace(/[\s-]/g, '').toUpperCase();
}

/** Why an IBAN is not one, or undefined when it is (its country's length and its mod-97 check digits). */
export function ibanProblem(iban: string): IbanProblem | undefined {
  const value = normaliseIban(iban);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$/.test(value)) return 'IBAN_FORMAT';
  const length = IBAN_LENGTHS[value.slice(0, 2)];
  if (length === undefined) return 'IBAN_COUNTRY';
  if (value.length !== length) return 'IBAN_LENGTH';
  return ibanMod97(value) === 1 ? undefined : 'IBAN_CHECKSUM';
}

// The country code and check digits move to the end, each letter becomes two digits (A = 10 … Z = 35), and the
// number's remainder by 97 is computed digit by digit, so no number ever exceeds 97 × 10 + 9.
function ibanMod97(value: string): number {
  const rearranged = value.slice(4) + value.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const digits = char >= 'A' ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}
