/* global window, location, fetch, document, URLSearchParams, ImageData */
/**
 * Runs in Chromium: the official MediaPipe Pose solution (@mediapipe/pose), every file from the
 * local server. index.ts drives it through `window.poseReference`.
 */
const options = new URLSearchParams(location.search)

async function createPose () {
  const pose = new window.Pose({ locateFile: (file) => `/pose/${file}` })
  pose.setOptions({
    modelComplexity: Number(options.get('modelComplexity') ?? 0),
    smoothLandmarks: options.get('smoothLandmarks') === 'true',
    enableSegmentation: false,
    selfieMode: false,
    minDetectionConfidence: 0.5,
    minTrackingConfidence: 0.5
  })
  await pose.initialize()
  return pose
}

const canvas = document.createElement('canvas')
const context = canvas.getContext('2d')

async function drawFrame ({ id, width, height }) {
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
  canvas.width = width
  canvas.height = height
  context.putImageData(new ImageData(rgba, width, height), 0, 0)
}

const posePromise = createPose()
let latest = null
// Timestamps must only grow for the graph's whole life; each video starts past the last one. Not at 0:
// the solution's filters treat a 0 timestamp as "no previous time" and skip that frame.
let base = 1000
let last = 0

window.poseReference = {
  ready: posePromise.then((pose) => {
    pose.onResults((results) => { latest = results })
    return { userAgent: window.navigator.userAgent }
  }),

  /** A new video: forget the track (and the filters). */
  async reset () {
    const pose = await posePromise
    pose.reset()
    base = last + 1000
  },

  /** Frames in time order; per frame the body found (x, y normalised, z, visibility; world in metres) or null. */
  async trackFrames (frames) {
    const pose = await posePromise
    const results = []
    for (const frame of frames) {
      await drawFrame(frame)
      latest = null
      last = base + frame.timeMs
      await pose.send({ image: canvas }, last)
      const landmarks = latest?.poseLandmarks
      results.push(landmarks
        ? {
            landmarks: landmarks.map((p) => [p.x, p.y, p.z, p.visibility ?? 0]),
            world: (latest.poseWorldLandmarks ?? []).map((p) => [p.x, p.y, p.z])
          }
        : null)
    }
    return results
  }
}
