/* global window, location, fetch, document, URL, ImageData */
/**
 * Runs in Chromium, shared by the reference pages (page.js here, ../pose-reference/page.js):
 * tasks-vision's wasm, the model bundle and the frames, all from the local server.
 */
import { FilesetResolver } from '/tasks-vision/vision_bundle.mjs'

/** tasks-vision's wasm files. An explicit base URL: without one, tasks-vision would fetch them from a CDN. */
export function visionFileset () {
  return FilesetResolver.forVisionTasks(new URL('/tasks-vision/wasm', location.href).href)
}

/** The served model bundle (`/model.task`) on tasks-vision's CPU delegate. */
export function cpuModel () {
  return { modelAssetPath: new URL('/model.task', location.href).href, delegate: 'CPU' }
}

/** One queued frame (packed RGB) as the RGBA ImageData tasks-vision takes. */
export async function fetchImage ({ id, width, height }) {
  const response = await fetch(`/frames/${id}`)
  if (!response.ok) throw new Error(`frame ${id}: HTTP ${response.status}`)
  const rgb = new Uint8Array(await response.arrayBuffer())
  if (rgb.length !== width * height * 3) throw new Error(`frame ${id}: ${rgb.length} bytes for ${width}x${height} RGB`)
  const rgba = new Uint8ClampedArray(width * height * 4)
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba[j] = rgb[i]
    rgba[j + 1] = rgb[i + 1]
    rgba[j + 2] = rgb[i + 2]
    rgba[j + 3] = 255
  }
  return new ImageData(rgba, width, height)
}

/** `detect` (ImageData to a result) on each queued frame in turn. */
export async function detectEach (frames, detect) {
  const results = []
  for (const frame of frames) results.push(detect(await fetchImage(frame)))
  return results
}

/** What `ready` resolves to: the browser and the WebGL renderer tasks-vision got. */
export function pageInfo () {
  return { glRenderer: glRenderer(), userAgent: window.navigator.userAgent }
}

/**
 * The WebGL implementation tasks-vision gets. It uploads every frame as a texture even with the
 * CPU delegate; without WebGL, startup succeeds and every detect() fails on `activeTexture`.
 */
function glRenderer () {
  const gl = document.createElement('canvas').getContext('webgl2')
  if (!gl) throw new Error('no WebGL2 in this Chromium: tasks-vision needs it even on CPU (see README.md)')
  const debug = gl.getExtension('WEBGL_debug_renderer_info')
  return String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER))
}
