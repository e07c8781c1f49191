// Custom attributes are typed by an admin's definitions; a customer's value must fit its definition.
import type { AttributeType } from './segment-rules.js';

export interface AttributeDefinition {
  /** Lower snake case; the key in the customer's attributes. */
  key: string;
  label: string;
  type: AttributeType;
  /** The allowed values of a `choice` attribute (empty for other types). */
  options: string[];
  createdAt: number;
  updatedAt: number;
}

export type AttributeValue = string | number | boolean;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A valid calendar day in ISO form (2024-02-29 yes, 2023-02-29 no). */
export function isIsoDay(value: string): boolean {
  if (!ISO_DAY.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Why `value` does not fit the definition, or null when it does. */
export function attributeProblem(def: AttributeDefinition, value: unknown): string | null {
  switch (def.type) {
    case 'text':
      return typeof value === 'string' ? null : 'must be text';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'date':
      return typeof value === 'string' && isIsoDay(value) ? null : 'must be a date as YYYY-MM-DD';
    case 'choice':
      return typeof value === 'string' && def.options.includes(value) ? null : `must be one of ${def.options.join(', ')}`;
  }
}
