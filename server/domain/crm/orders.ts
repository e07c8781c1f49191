// A customer's purchase history: orders posted through the API or imported from a file.
export interface Order {
  id: string;
  customerId: string;
  /** Where it came from ("shop", "pos", "csv"…): the external id is unique within it. */
  source: string;
  externalId: string;
  /** Hundredths of the currency unit (the API shows `amount` as a decimal string). */
  amountHundredths: number;
  currency: string;
  orderedAt: number;
  createdAt: number;
}

const DECIMAL = /^\d{1,13}(\.\d{1,2})?$/;

/**
 * An amount as hundredths: a decimal string ("1500", "1500.5", "1500.50") or a number with at most two
 * decimals, not negative. Null when it is not one.
 */
export function parseAmount(value: string | number): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || value >= 1e13) return null;
    const hundredths = Math.round(value * 100);
    return Math.abs(hundredths - value * 100) < 1e-6 ? hundredths : null;
  }
  const text = value.trim();
  if (!DECIMAL.test(text)) return null;
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** Hundredths as a decimal string with two places ("1500.50"). */
export function formatAmount(hundredths: number): string {
  const whole = Math.floor(hundredths / 100);
  return `${whole}.${String(hundredths % 100).padStart(2, '0')}`;
}

/** The order as the API shows it (times in epoch ms, as everywhere in the API). */
export function orderView(o: Order) {
  return {
    id: o.id,
    customerId: o.customerId,
    source: o.source,
    externalId: o.externalId,
    amount: formatAmount(o.amountHundredths),
    currency: o.currency,
    orderedAt: o.orderedAt,
    createdAt: o.createdAt,
  };
}
