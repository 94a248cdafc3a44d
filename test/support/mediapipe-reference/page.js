/* global window, location, fetch, document, URL, URLSearchParams, ImageData */
/**
 * Runs in Chromium: the official tasks-vision FaceLandmarker, everything loaded from the local
 * server. index.ts drives it through `window.mediapipeReference`.
 */
import { FaceLandmarker, FilesetResolver } from '/tasks-vision/vision_bundle.mjs'

const options = new URLSearchParams(location.search)

async function createLandmarker () {
  // An explicit base URL: without one, tasks-vision would fetch its wasm from a CDN.
  const fileset = await FilesetResolver.forVisionTasks(new URL('/tasks-vision/wasm', location.href).href)
  return FaceLandmarker.createFromOptions(fileset, {
    baseOptions: { modelAssetPath: new URL('/model.task', location.href).href, delegate: 'CPU' },
    runningMode: 'IMAGE',
    numFaces: Number(options.get('numFaces') ?? 1),
    outputFaceBlendshapes: true
  })
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

async function fetchImage ({ id, width, height }) {
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

const landmarker = createLandmarker()

window.mediapipeReference = {
  ready: landmarker.then(() => ({ glRenderer: glRenderer(), userAgent: window.navigator.userAgent })),

  /** Frames in, per frame the faces found (landmarks as [x, y, z], blendshapes by name). */
  async detectFrames (frames) {
    const faceLandmarker = await landmarker
    const results = []
    for (const frame of frames) {
      const result = faceLandmarker.detect(await fetchImage(frame))
      results.push(result.faceLandmarks.map((points, face) => ({
        landmarks: points.map((p) => [p.x, p.y, p.z]),
        blendshapes: Object.fromEntries((result.faceBlendshapes[face]?.categories ?? []).map((c) => [c.categoryName, c.score]))
      })))
    }
    return results
  }
}
