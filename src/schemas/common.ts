import { Type, type Static } from 'typebox'

/** Every error the API returns has this shape. */
export const ErrorResponse = Type.Object({
  statusCode: Type.Integer({ examples: [404] }),
  error: Type.String({ description: 'HTTP status text', examples: ['Not Found'] }),
  message: Type.String({ description: 'What went wrong, for a human', examples: ['analysis not found: 5f0c…'] })
}, { $id: 'ErrorResponse', title: 'ErrorResponse' })
export type ErrorResponse = Static<typeof ErrorResponse>
