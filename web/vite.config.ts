/**
 * The web app's build: Vite over web/, served by Candor's Fastify server under /app/
 * (src/routes/web.ts). Shared metric code is imported straight from ../src (pure TypeScript).
 */
import { defineConfig } from 'vite'

export default defineConfig({
  root: import.meta.dirname,
  base: '/app/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // tasks-vision is a large single module; the warning would only repeat that.
    chunkSizeWarningLimit: 2048,
    sourcemap: true
  },
  server: {
    // `npm run web:dev` proxies the API to a service started with `npm run dev`.
    proxy: Object.fromEntries(['/analyze', '/analysis', '/uploads', '/users', '/health', '/live'].map((path) => [path, { target: 'http://127.0.0.1:3000', ws: path === '/live' }]))
  }
})
