/**
 * The optional tracking overlay, drawn from the same per-frame records the cues are computed
 * from (so it looks the same whichever source made them): the face box, coloured by eye
 * contact, a gaze line, and the upper body's skeleton. Drawn in the video's own coordinates; the
 * canvas is mirrored with the preview by CSS.
 */
import { onCamera } from '../../../../src/signals/face/metrics/index.js'
import type { LiveFrame } from '../../live/source.js'

const BONES: ReadonlyArray<[number, number]> = [[11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [11, 23], [12, 24], [23, 24]]
const SEEN = 0.5

export function drawOverlay (canvas: HTMLCanvasElement, frame: LiveFrame | null, pose: LiveFrame['pose'] | null, width: number, height: number): void {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width
    canvas.height = height
  }
  const g = canvas.getContext('2d')
  if (!g) return
  g.clearRect(0, 0, width, height)
  const unit = Math.max(2, width / 320)
  const face = frame?.face.face
  if (face) {
    const [x, y, w, h] = face.box
    const contact = onCamera(frame.face)
    g.lineWidth = unit
    g.strokeStyle = contact === true ? 'rgb(46 204 113 / 90%)' : contact === false ? 'rgb(243 156 18 / 90%)' : 'rgb(255 255 255 / 70%)'
    g.beginPath()
    g.roundRect(x * width, y * height, w * width, h * height, 8 * unit)
    g.stroke()
    const cx = (x + w / 2) * width
    const cy = (y + h * 0.42) * height
    const reach = w * width * 0.8
    const rad = Math.PI / 180
    g.beginPath()
    g.moveTo(cx, cy)
    g.lineTo(cx + Math.sin(face.gaze.yaw * rad) * reach, cy - Math.sin(face.gaze.pitch * rad) * reach)
    g.stroke()
  }
  const body = pose?.pose
  if (body) {
    const p = (i: number) => ({ x: body.landmarks[i * 4]! * width, y: body.landmarks[i * 4 + 1]! * height, seen: body.landmarks[i * 4 + 3]! >= SEEN })
    g.lineWidth = unit * 1.5
    g.strokeStyle = 'rgb(120 170 255 / 85%)'
    g.lineCap = 'round'
    for (const [a, b] of BONES) {
      const pa = p(a), pb = p(b)
      if (!pa.seen || !pb.seen) continue
      g.beginPath()
      g.moveTo(pa.x, pa.y)
      g.lineTo(pb.x, pb.y)
      g.stroke()
    }
    g.fillStyle = 'rgb(255 255 255 / 90%)'
    for (const i of [11, 12, 13, 14, 15, 16, 23, 24]) {
      const q = p(i)
      if (!q.seen) continue
      g.beginPath()
      g.arc(q.x, q.y, unit * 2, 0, Math.PI * 2)
      g.fill()
    }
  }
}
