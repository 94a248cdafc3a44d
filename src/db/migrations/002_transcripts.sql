-- The optional transcript of an analysis's speech (only when a speech-to-text API is
-- configured): the text, every word with its time, and the filler words found in it. Voice
-- aggregates themselves live in analysis_scores.voice.
CREATE TABLE analysis_transcripts (
  analysis_id      CHAR(36)      NOT NULL,
  model            VARCHAR(128)  NOT NULL,
  language         VARCHAR(16)   NULL,
  text             MEDIUMTEXT    NOT NULL,
  words            JSON          NOT NULL,
  words_per_minute DOUBLE        NULL,
  filler_count     INT UNSIGNED  NOT NULL DEFAULT 0,
  fillers          JSON          NOT NULL,
  created_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (analysis_id),
  CONSTRAINT fk_transcripts_analysis FOREIGN KEY (analysis_id) REFERENCES analyses (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
