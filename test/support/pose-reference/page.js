/* global window */
/**
 * Runs in Chromium: the official tasks-vision PoseLandmarker on the CPU delegate, in IMAGE mode
 * (each frame on its own: detector, ROI, landmarks; no tracking, no smoothing), everything
 * from the local server. index.ts drives it through `window.poseReference`.
 */
import { PoseLandmarker } from '/tasks-vision/vision_bundle.mjs'
import { visionFileset, cpuModel, detectEach, pageInfo } from '/page-common.js'

async function createLandmarker () {
  return PoseLandmarker.createFromOptions(await visionFileset(), {
    baseOptions: cpuModel(),
    runningMode: 'IMAGE',
    numPoses: 1,
    minPoseDetectionConfidence: 0.5,
    minPosePresenceConfidence: 0.5
  })
}

const landmarker = createLandmarker()

window.poseReference = {
  ready: landmarker.then(pageInfo),

  /** Per frame the body found (x, y normalised, z, visibility; world in metres) or null. */
  async detectFrames (frames) {
    const poseLandmarker = await landmarker
    return detectEach(frames, (image) => {
      const result = poseLandmarker.detect(image)
      const landmarks = result.landmarks[0]
      if (!landmarks) return null
      return {
        landmarks: landmarks.map((p) => [p.x, p.y, p.z, p.visibility ?? 0]),
        world: (result.worldLandmarks[0] ?? []).map((p) => [p.x, p.y, p.z])
      }
    })
  }
}
