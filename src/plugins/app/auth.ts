import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { keyFromAuthorization, type Scope } from '../../auth/api-key.js'
import { TenantRepository, type Principal } from '../../repositories/tenants.js'

declare module 'fastify' {
  interface FastifyInstance {
    tenants: TenantRepository
    /** The caller behind the request's key, or null (for routes that are open but say more to a caller with a key). */
    identify: (request: FastifyRequest) => Promise<Principal | null>
  }
  interface FastifyRequest {
    /** Set on every route that is not public; null only on public routes. */
    principal: Principal | null
  }
  interface FastifyContextConfig {
    /** The scope a key needs for this route, or 'public' (no key: health, docs, CORS preflight). */
    access?: Scope | 'public'
  }
}

/** Routes registered by plugins that cannot declare `access` themselves (docs, the web app's files). */
function isPublicRoute (url: string, method: string | string[]): boolean {
  return url === '/docs' || url.startsWith('/docs/') || url === '/' || url.startsWith('/app/') || method === 'OPTIONS'
}

/**
 * API keys (`Authorization: Bearer <key>`) on every route unless it is public. A missing or bad
 * key is a 401 with `WWW-Authenticate`; a key without the route's scope a 403. Runs before the
 * rate limiter (a route-level hook), so limits are counted per key.
 */
export default fp(async (fastify) => {
  const tenants = new TenantRepository(fastify.mariadb)
  fastify.decorate('tenants', tenants)
  fastify.decorateRequest('principal', null)

  const identify = async (request: FastifyRequest): Promise<Principal | null> => {
    const key = keyFromAuthorization(request.headers.authorization)
    return key ? await tenants.authenticate(key) : null
  }
  fastify.decorate('identify', identify)

  fastify.addHook('onRoute', (route) => {
    if (route.config?.access === undefined && isPublicRoute(route.url, route.method)) {
      route.config = { ...route.config, access: 'public' }
    }
  })

  fastify.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access
    if (access === 'public') return
    const principal = await identify(request)
    if (!principal) {
      const given = request.headers.authorization !== undefined
      reply.header('www-authenticate', given ? 'Bearer realm="candor", error="invalid_token"' : 'Bearer realm="candor"')
      throw fastify.httpErrors.unauthorized(given
        ? 'invalid API key: send Authorization: Bearer <key> with a key from `npm run keys -- create` that has not been revoked'
        : 'API key required: send Authorization: Bearer <key> (create one with `npm run keys -- create --tenant <name>`)')
    }
    if (access !== undefined && !principal.scopes.includes(access)) {
      reply.header('www-authenticate', `Bearer realm="candor", error="insufficient_scope", scope="${access}"`)
      throw fastify.httpErrors.forbidden(`this API key lacks the scope ${access} (it has ${principal.scopes.join(', ')})`)
    }
    request.principal = principal
  })
}, { name: 'auth', dependencies: ['mariadb', 'sensible'] })
