import { z } from 'zod';

// Ids are opaque tokens (uuid, `tenant-…`, pseudonymous ids): no spaces, so no free text can hide in one.
export const id = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/, 'an opaque id');
export const tenantId = id;
export const cents = () => z.int().nonnegative();
export const positiveCents = () => z.int().positive();
export const basisPoints = () => z.int().min(0).max(10_000);
export const count = () => z.int().nonnegative();
export const months = () => z.int().min(1).max(120);
export const instant = () => z.iso.datetime({ offset: false });
export const calendarDate = () => z.iso.date();
export const reasonCode = () => z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'an UPPER_SNAKE reason code');

export const products = ['classic', 'restructuring', 'autonomyHealth'] as const;
export const product = () => z.enum(products);

export const purposeCategories = ['mobility', 'housing', 'healthEquipment', 'employmentTraining', 'debtRestructuring', 'other'] as const;
export const purposeCategory = () => z.enum(purposeCategories);
