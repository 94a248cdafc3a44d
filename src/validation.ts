/**
 * Request validation. Query strings and params arrive as text, so they are coerced to the
 * schema's types ("20" -> 20); JSON bodies are not: `"user_id": 42` is a client bug that must be
 * refused, not silently turned into "42".
 */
import { Ajv, type Options } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'
import type { SchemaErrorFormatter } from 'fastify/types/schema.js'

function createAjv (coerceTypes: Options['coerceTypes']): Ajv {
  // strict off: TypeBox schemas carry documentation keywords (examples...) Ajv does not know.
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, strict: false })
  addFormats.default(ajv)
  return ajv
}

const coercing = createAjv('array')
const strict = createAjv(false)

export const validatorCompiler: FastifySchemaCompiler<Record<string, unknown>> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : coercing).compile(schema)

/** "body/options/language must be one of: en, ko" rather than Ajv's bare "allowed values". */
export const schemaErrorFormatter: SchemaErrorFormatter = (errors, dataVar) => {
  const messages = errors.map((error) => {
    const where = `${dataVar}${error.instancePath}`
    if (error.keyword === 'enum') return `${where} must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`
    if (error.keyword === 'additionalProperties') return `${where} must NOT have additional properties (${(error.params as { additionalProperty: string }).additionalProperty})`
    return `${where} ${error.message ?? 'is invalid'}`
  })
  return new Error([...new Set(messages)].join('; '))
}
