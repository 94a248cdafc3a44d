/**
 * The emotion models the engine can run, each with its whole preprocessing contract, so that
 * adding a model is one entry here and no new code: the classifier reads only these fields.
 */

/** Canonical labels, in HSEmotion's order: every model's output is mapped onto these. */
export const EMOTIONS = ['anger', 'contempt', 'disgust', 'fear', 'happiness', 'neutral', 'sadness', 'surprise'] as const
export type Emotion = typeof EMOTIONS[number]

export type EmotionModelId = 'mobilefacenet' | 'enet_b0_8'

export interface EmotionModelSpec {
  id: EmotionModelId
  /** File name in the models folder (see models/manifest.json). */
  file: string
  /** Name of the image input tensor; the model's first output is read. */
  input: string
  /** Square input side in pixels (NCHW float32 1x3xSxS). */
  size: number
  /**
   * 'arcface-aligned': a similarity transform of the 5 keypoints onto the ArcFace 112x112
   * template (scaled to `size`). 'box': the detector's box resized straight to size x size.
   */
  crop: 'arcface-aligned' | 'box'
  channels: 'rgb' | 'bgr'
  /** value = (sample * scale - mean[c]) / std[c], sample in 0..255, c in tensor order. */
  normalisation: { scale: number, mean: [number, number, number], std: [number, number, number] }
  /** Output k: the model's own name for it and the canonical label it means. */
  outputs: Array<[string, Emotion]>
  /** Whether the output still needs a softmax. */
  output: 'logits' | 'probabilities'
  /**
   * Whether the blendshape prior (blendshape-prior.ts) corrects this model's answer. Its rules
   * and weights were measured on this model's mistakes (scripts/emotion-eval.ts).
   */
  blendshapePrior: boolean
}

export const EMOTION_MODELS: Record<EmotionModelId, EmotionModelSpec> = {
  // OpenCV Zoo facial_fer_model.py: aligned 112x112, BGR->RGB, (x/255 - 0.5) / 0.5. Trained
  // on RAF-DB's 7 classes: no contempt. Its output is a raw score layer (argmax in the demo).
  mobilefacenet: {
    id: 'mobilefacenet',
    file: 'facial_expression_recognition_mobilefacenet_2022july_int8.onnx',
    input: 'data',
    size: 112,
    crop: 'arcface-aligned',
    channels: 'rgb',
    normalisation: { scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
    outputs: [
      ['angry', 'anger'], ['disgust', 'disgust'], ['fearful', 'fear'], ['happy', 'happiness'],
      ['neutral', 'neutral'], ['sad', 'sadness'], ['surprised', 'surprise']
    ],
    output: 'logits',
    // It reads brows lowered in anger as disgust or sadness; the prior's anger rule took it
    // from 10 to 12 of the 13 fixture faces.
    blendshapePrior: true
  },
  // HSEmotion enet_b0_8_best_vgaf (AffectNet-8): the face box resized to 224, RGB, ImageNet
  // normalisation; 8 logits already in the canonical order.
  enet_b0_8: {
    id: 'enet_b0_8',
    file: 'enet_b0_8_best_vgaf.onnx',
    input: 'input',
    size: 224,
    crop: 'box',
    channels: 'rgb',
    normalisation: { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    outputs: [
      ['Anger', 'anger'], ['Contempt', 'contempt'], ['Disgust', 'disgust'], ['Fear', 'fear'],
      ['Happiness', 'happiness'], ['Neutral', 'neutral'], ['Sadness', 'sadness'], ['Surprise', 'surprise']
    ],
    output: 'logits',
    // Not measured (the model is optional and was not installed when the prior was tuned).
    blendshapePrior: false
  }
}

export function emotionModel (id: string): EmotionModelSpec {
  if (!Object.hasOwn(EMOTION_MODELS, id)) {
    throw new Error(`unknown emotion model "${id}": known models are ${Object.keys(EMOTION_MODELS).join(', ')}`)
  }
  return EMOTION_MODELS[id as EmotionModelId]
}
