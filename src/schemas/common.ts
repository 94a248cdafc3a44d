import { Type, type Static } from 'typebox'

/** Every error the API returns has this shape. */
export const ErrorResponse = Type.Object({
  statusCode: Type.Integer({ examples: [404] }),
  error: Type.String({ description: 'HTTP status text', examples: ['Not Found'] }),
  message: Type.String({ description: 'What went wrong, for a human', examples: ['analysis not found: 5f0c…'] })
}, { $id: 'ErrorResponse', title: 'ErrorResponse' })
export type ErrorResponse = Static<typeof ErrorResponse>

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

/** A string from a fixed list, as one `enum` (so a wrong value gets one clear message). */
export function StringEnum<const T extends readonly string[]> (values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

export const Probabilities = Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 1 }))
