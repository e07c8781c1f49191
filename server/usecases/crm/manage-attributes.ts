// Admins define the custom attributes customers carry: a key, a label and a type (text, number,
// boolean, date, or a choice among options). Writes to a customer's attributes are checked against
// them (checkAttributes); keys without a definition stay free-form text, numbers or booleans.
import { AppError, notFound } from '../../domain/errors.js';
import { attributeProblem, type AttributeDefinition, type AttributeValue } from '../../domain/crm/attributes.js';
import type { AttributeType } from '../../domain/crm/segment-rules.js';
import type { Stores } from '../../../db/store.js';
import type { Actor } from '../../domain/policy.js';
import type { Deps } from '../deps.js';

export interface AttributeInput {
  key: string;
  label: string;
  type: AttributeType;
  options?: string[];
}

function checkOptions(type: AttributeType, options: string[] | undefined): string[] {
  if (type !== 'choice') {
    if (options?.length) throw new AppError('VALIDATION', 'options: only a choice attribute has options');
    return [];
  }
  if (!options?.length) throw new AppError('VALIDATION', 'options: a choice attribute needs at least one option');
  if (new Set(options).size !== options.length) throw new AppError('VALIDATION', 'options: each option once');
  return options;
}

/** Throws a VALIDATION error naming each attribute whose value does not fit its definition. */
export async function checkAttributes(
  tx: Pick<Stores, 'attributeDefinitions'>,
  values: Record<string, AttributeValue | null>,
): Promise<void> {
  const defs = await tx.attributeDefinitions.findMany(Object.keys(values));
  const problems: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(values)) {
    const def = defs.get(key);
    if (!def || value === null) continue;
    const problem = attributeProblem(def, value);
    if (problem) problems.push({ path: `body.attributes.${key}`, message: `${def.label} (${key}) ${problem}` });
  }
  if (problems.length) throw new AppError('VALIDATION', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
}

export function makeManageAttributes(deps: Deps) {
  const { store } = deps;
  const audit = (actor: Actor, action: string, key: string, now: number) =>
    store.audit.record({ actorType: 'user', actorId: actor.id, action, targetType: 'attribute', targetId: key }, now);

  return {
    list: () => store.attributeDefinitions.list(),

    async create(actor: Actor, input: AttributeInput): Promise<AttributeDefinition> {
      const now = deps.now();
      const options = checkOptions(input.type, input.options);
      if (!(await store.attributeDefinitions.create({ key: input.key, label: input.label, type: input.type, options }, now))) {
        throw new AppError('CONFLICT', `an attribute ${input.key} is already defined`);
      }
      await audit(actor, 'attribute.create', input.key, now);
      return (await store.attributeDefinitions.find(input.key))!;
    },

    /** Label and options change; the type does not (values stored under the old type would stop fitting). */
    async update(actor: Actor, key: string, patch: { label?: string; options?: string[] }): Promise<AttributeDefinition> {
      const current = await store.attributeDefinitions.find(key);
      if (!current) throw notFound('attribute');
      const options = patch.options === undefined ? undefined : checkOptions(current.type, patch.options);
      const now = deps.now();
      await store.attributeDefinitions.update(key, { label: patch.label, options }, now);
      await audit(actor, 'attribute.update', key, now);
      return (await store.attributeDefinitions.find(key))!;
    },

    /** Removes the definition; customers keep their values (untyped from now on). */
    async remove(actor: Actor, key: string): Promise<void> {
      if (!(await store.attributeDefinitions.remove(key))) throw notFound('attribute');
      await audit(actor, 'attribute.delete', key, deps.now());
    },
  };
}
