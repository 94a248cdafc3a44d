import { Type } from 'typebox'

export const LivenessResponse = Type.Object({
  status: Type.Literal('ok'),
  uptime_s: Type.Number({ description: 'Seconds since the process started' }),
  version: Type.String()
})

const DependencyStatus = Type.Object({
  name: Type.String({ examples: ['mariadb'] }),
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  latency_ms: Type.Optional(Type.Number({ description: 'Only for a caller with an API key' })),
  detail: Type.Optional(Type.String({ description: 'Version or other detail when up (only for a caller with an API key)' })),
  error: Type.Optional(Type.String({ description: 'Why it is down (only for a caller with an API key)' }))
})

export const ReadinessResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  dependencies: Type.Array(DependencyStatus)
})
