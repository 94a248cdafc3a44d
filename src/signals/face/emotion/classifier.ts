/**
 * Runs any registered emotion model on one face: crops as the model's contract says, then
 * maps its output onto the canonical labels as probabilities, reweighted by the blendshape
 * prior (blendshape-prior.ts) when the caller passes the frame's blendshapes and the model's
 * registry entry asks for it. Measured in scripts/emotion-eval.ts.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { createSession, ort, softmax, type Session } from '../../../engine/onnx.js'
import { rectToAffine, warpToTensor, type Affine, type RgbImage, type TensorLayout } from '../../../engine/image.js'
import type { Rect } from '../engine/yunet.js'
import { arcFaceAlignment } from './align.js'
import { applyBlendshapePrior } from './blendshape-prior.js'
import { EMOTIONS, emotionModel, type EmotionModelSpec } from './registry.js'

export interface FaceRegion {
  box: Rect
  keypoints: Array<[number, number]>
}

export interface ClassifyOptions {
  /**
   * Average the crop's and its mirror image's probabilities (default false: measured, it
   * doubled the model's cost for no gain on the fixtures; see scripts/emotion-eval.ts).
   */
  mirror?: boolean
  /** The frame's 52 blendshape scores (BLENDSHAPE_NAMES order), for the model's blendshape prior. */
  blendshapes?: ArrayLike<number>
}

/** The two views of one face, each as probabilities over EMOTIONS. */
export interface EmotionViews { plain: number[], mirrored: number[] }

export class EmotionClassifier {
  readonly spec: EmotionModelSpec
  readonly #session: Session
  readonly #layout: TensorLayout
  readonly #input: Float32Array<ArrayBuffer>
  readonly #tensor: ort.Tensor
  /** Canonical index of each model output. */
  readonly #targets: number[]
  // The input buffer is shared by every call; #queue stops two calls filling it at once.
  #queue: Promise<unknown> = Promise.resolve()

  private constructor (spec: EmotionModelSpec, session: Session) {
    this.spec = spec
    this.#session = session
    const { scale, mean, std } = spec.normalisation
    this.#layout = {
      width: spec.size,
      height: spec.size,
      layout: 'nchw',
      channels: spec.channels,
      // warpToTensor normalises 0..255 samples: (x*scale - m)/s = (x - m/scale)/(s/scale).
      mean: [mean[0] / scale, mean[1] / scale, mean[2] / scale],
      std: [std[0] / scale, std[1] / scale, std[2] / scale]
    }
    this.#input = new Float32Array(3 * spec.size * spec.size)
    this.#tensor = new ort.Tensor('float32', this.#input, [1, 3, spec.size, spec.size])
    this.#targets = spec.outputs.map(([, label]) => EMOTIONS.indexOf(label))
  }

  /** Loads a registered model (see registry.ts) from the models folder. */
  static async load (modelId: string, modelsDir: string): Promise<EmotionClassifier> {
    const spec = emotionModel(modelId)
    const file = path.join(modelsDir, spec.file)
    try {
      await fs.access(file)
    } catch {
      throw new Error(`emotion model "${spec.id}" needs ${file}, which is missing: run npm run models -- --all`)
    }
    const session = await createSession(file)
    if (!session.inputNames.includes(spec.input)) {
      throw new Error(`emotion model "${spec.id}" (${file}) has no input named "${spec.input}" (it has ${session.inputNames.join(', ')})`)
    }
    return new EmotionClassifier(spec, session)
  }

  /**
   * Probabilities over EMOTIONS (sum 1); labels the model lacks get 0. With `mirror`, the mean
   * of the face's and its mirror image's; with `blendshapes`, reweighted by the blendshape prior
   * if the model's registry entry says so.
   */
  async classify (image: RgbImage, face: FaceRegion, options: ClassifyOptions = {}): Promise<number[]> {
    let probabilities: number[]
    if (options.mirror) {
      const { plain, mirrored } = await this.classifyViews(image, face)
      probabilities = plain.map((p, k) => (p + mirrored[k]!) / 2)
    } else {
      probabilities = await this.#serial(() => this.#classify(image, face, false))
    }
    return options.blendshapes && this.spec.blendshapePrior ? applyBlendshapePrior(probabilities, options.blendshapes) : probabilities
  }

  /** The model's own probabilities for the face and for its mirror image (no prior). */
  classifyViews (image: RgbImage, face: FaceRegion): Promise<EmotionViews> {
    return this.#serial(async () => {
      const plain = await this.#classify(image, face, false)
      // The same crop again, each row reversed: no second warp.
      return { plain, mirrored: await this.#classify(image, face, true) }
    })
  }

  #serial<T> (work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work)
    this.#queue = run.catch(() => {})
    return run
  }

  async #classify (image: RgbImage, face: FaceRegion, mirrored: boolean): Promise<number[]> {
    if (mirrored) mirrorRows(this.#input, this.spec.size)
    else warpToTensor(image, this.#crop(image, face), this.#layout, this.#input)
    const outputs = await this.#session.run({ [this.spec.input]: this.#tensor })
    const raw = outputs[this.#session.outputNames[0]!]!.data as Float32Array
    if (raw.length !== this.#targets.length) {
      throw new Error(`emotion model "${this.spec.id}" gave ${raw.length} outputs, its registry entry lists ${this.#targets.length}`)
    }
    const scores = this.spec.output === 'logits' ? softmax(raw) : Array.from(raw)
    const total = scores.reduce((a, b) => a + b, 0)
    const probabilities: number[] = new Array(EMOTIONS.length).fill(0)
    scores.forEach((p, k) => { probabilities[this.#targets[k]!]! += p / total })
    return probabilities
  }

  #crop (image: RgbImage, face: FaceRegion): Affine {
    if (this.spec.crop === 'arcface-aligned') return arcFaceAlignment(face.keypoints, this.spec.size)
    // A box crop is a slice of the image (HSEmotion: frame[y1:y2, x1:x2]), so a box that
    // overhangs the frame is clipped rather than padded with black.
    const x1 = Math.max(0, face.box.x), y1 = Math.max(0, face.box.y)
    const x2 = Math.min(image.width, face.box.x + face.box.width), y2 = Math.min(image.height, face.box.y + face.box.height)
    if (!(x2 > x1 && y2 > y1)) throw new Error('emotion: the face box lies outside the image')
    return rectToAffine({ x: x1, y: y1, width: x2 - x1, height: y2 - y1 }, this.spec.size, this.spec.size)
  }
}

/** Reverses every row of a planar size x size tensor in place: its left-right mirror image. */
export function mirrorRows (tensor: Float32Array, size: number): void {
  for (let row = 0; row < tensor.length; row += size) {
    for (let i = row, j = row + size - 1; i < j; i++, j--) {
      const v = tensor[i]!
      tensor[i] = tensor[j]!
      tensor[j] = v
    }
  }
}
