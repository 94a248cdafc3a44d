-- One row per kind of signal (face, voice, pose...) and analysis: that kind's aggregate metrics
-- as its module defines them (src/signals/<kind>/), so a new kind needs no new columns.
CREATE TABLE analysis_signals (
  analysis_id  CHAR(36)     NOT NULL,
  kind         VARCHAR(32)  NOT NULL,
  version      VARCHAR(16)  NOT NULL,
  metrics      JSON         NOT NULL,
  created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (analysis_id, kind),
  CONSTRAINT fk_signals_analysis FOREIGN KEY (analysis_id) REFERENCES analyses (id) ON DELETE CASCADE,
  CONSTRAINT ck_signals_metrics CHECK (JSON_VALID(metrics))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The scores become generic: {version, interviewScore, attentionScore, categories: {eye_contact...}}.
-- The face-only columns of analysis_scores (eye_contact_ratio ... emotion_distribution), the
-- face metrics and the voice JSON are no longer written; what earlier analyses stored in them
-- moves here, so every analysis reads the same way.
ALTER TABLE analysis_scores
  ADD COLUMN scores JSON NULL AFTER attention_score,
  MODIFY COLUMN metrics JSON NULL;

INSERT INTO analysis_signals (analysis_id, kind, version, metrics)
  SELECT analysis_id, 'face', COALESCE(JSON_VALUE(metrics, '$.version'), '1.0'), JSON_REMOVE(metrics, '$.scores')
  FROM analysis_scores WHERE metrics IS NOT NULL;

INSERT INTO analysis_signals (analysis_id, kind, version, metrics)
  SELECT analysis_id, 'voice', '1.0',
         JSON_OBJECT('hasAudio', JSON_EXTRACT(voice, '$.hasAudio'), 'metrics', JSON_EXTRACT(voice, '$.metrics'))
  FROM analysis_scores WHERE voice IS NOT NULL;

UPDATE analysis_scores SET scores = JSON_OBJECT(
    'version', score_version,
    'interviewScore', interview_score + 0,
    'attentionScore', attention_score + 0,
    'categories', JSON_OBJECT(
      'eye_contact', JSON_EXTRACT(metrics, '$.scores.categories.eyeContact'),
      'expression', JSON_EXTRACT(metrics, '$.scores.categories.expression'),
      'composure', JSON_EXTRACT(metrics, '$.scores.categories.composure'),
      'presence', JSON_EXTRACT(metrics, '$.scores.categories.presence')))
  WHERE metrics IS NOT NULL AND JSON_EXISTS(metrics, '$.scores.categories');

-- Why a wanted transcript is missing (the speech-to-text API failed): a row with the error
-- and no text, instead of a note inside the voice metrics.
ALTER TABLE analysis_transcripts ADD COLUMN error VARCHAR(500) NULL;

INSERT INTO analysis_transcripts (analysis_id, model, language, text, words, filler_count, fillers, error)
  SELECT analysis_id, '', NULL, '', '[]', 0, '{"count":0,"perMinute":0,"items":[]}', JSON_VALUE(voice, '$.transcriptError')
  FROM analysis_scores WHERE voice IS NOT NULL AND JSON_VALUE(voice, '$.transcriptError') IS NOT NULL
  ON DUPLICATE KEY UPDATE error = VALUES(error);
