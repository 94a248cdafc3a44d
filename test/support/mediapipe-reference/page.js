/* global window, location, URLSearchParams */
/**
 * Runs in Chromium: the official tasks-vision FaceLandmarker, everything loaded from the local
 * server. index.ts drives it through `window.mediapipeReference`.
 */
import { FaceLandmarker } from '/tasks-vision/vision_bundle.mjs'
import { visionFileset, cpuModel, detectEach, pageInfo } from '/page-common.js'

const options = new URLSearchParams(location.search)

async function createLandmarker () {
  return FaceLandmarker.createFromOptions(await visionFileset(), {
    baseOptions: cpuModel(),
    runningMode: 'IMAGE',
    numFaces: Number(options.get('numFaces') ?? 1),
    outputFaceBlendshapes: true
  })
}

const landmarker = createLandmarker()

window.mediapipeReference = {
  ready: landmarker.then(pageInfo),

  /** Frames in, per frame the faces found (landmarks as [x, y, z], blendshapes by name). */
  async detectFrames (frames) {
    const faceLandmarker = await landmarker
    return detectEach(frames, (image) => {
      const result = faceLandmarker.detect(image)
      return result.faceLandmarks.map((points, face) => ({
        landmarks: points.map((p) => [p.x, p.y, p.z]),
        blendshapes: Object.fromEntries((result.faceBlendshapes[face]?.categories ?? []).map((c) => [c.categoryName, c.score]))
      }))
    })
  }
}
