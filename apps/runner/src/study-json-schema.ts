import { z, studyEnvelopeSchema, type Registries } from '@entroscope/core';

/**
 * JSON Schema (draft 2020-12) of study files for editors: the envelope, with `systems[].params` and
 * `probes[].params` constrained per `use` id from every registered descriptor's parameter schema.
 */
export function studyJsonSchema(registries: Registries): Record<string, unknown> {
  const envelope = z.toJSONSchema(studyEnvelopeSchema, { unrepresentable: 'any', io: 'input' }) as Record<string, any>;
  const instance = (kind: 'systems' | 'probes') => {
    const registry = kind === 'systems' ? registries.systems : registries.probes;
    const base = envelope['properties'][kind]['items'];
    return {
      ...base,
      allOf: registry.list().map((d) => ({
        if: { properties: { use: { const: d.id } }, required: ['use'] },
        then: { properties: { params: z.toJSONSchema(d.paramsSchema, { unrepresentable: 'any', io: 'input' }) } },
      })),
      properties: { ...base.properties, use: { ...base.properties.use, enum: registry.ids() } },
    };
  };
  envelope['properties']['systems']['items'] = instance('systems');
  envelope['properties']['probes']['items'] = instance('probes');
  envelope['title'] = 'Entroscope study';
  return envelope;
}
