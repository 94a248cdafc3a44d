-- One row per requested analysis: the request, its progress, the video it found, and the
-- versions of the models and score definitions that produced its results.
CREATE TABLE analyses (
  id               CHAR(36)      NOT NULL,
  user_id          VARCHAR(128)  NOT NULL,
  session_id       VARCHAR(128)  NOT NULL,
  -- Client-chosen key (Idempotency-Key header), unique per user.
  idempotency_key  VARCHAR(255)  NULL,
  -- sha256 of bucket, key and session: the same recording in the same session is analysed once.
  source_hash      BINARY(32)    NOT NULL,
  s3_bucket        VARCHAR(63)   NOT NULL,
  s3_key           VARCHAR(1024) NOT NULL,
  s3_etag          VARCHAR(128)  NULL,
  s3_size          BIGINT UNSIGNED NULL,
  options          JSON          NOT NULL,

  status           ENUM('queued', 'processing', 'completed', 'failed') NOT NULL DEFAULT 'queued',
  progress         TINYINT UNSIGNED NOT NULL DEFAULT 0,
  stage            VARCHAR(32)   NULL,
  error_code       VARCHAR(64)   NULL,
  error_message    VARCHAR(1000) NULL,
  attempts         SMALLINT UNSIGNED NOT NULL DEFAULT 0,

  -- What ffprobe found in the object.
  container        VARCHAR(64)   NULL,
  duration_s       DOUBLE        NULL,
  width            SMALLINT UNSIGNED NULL,
  height           SMALLINT UNSIGNED NULL,
  fps              DOUBLE        NULL,
  rotation         SMALLINT      NULL,
  video_codec      VARCHAR(32)   NULL,
  audio_codec      VARCHAR(32)   NULL,
  has_audio        BOOLEAN       NULL,

  analysed_frames  INT UNSIGNED  NULL,
  model_versions   JSON          NULL,
  score_version    VARCHAR(16)   NULL,

  created_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  started_at       DATETIME(3)   NULL,
  completed_at     DATETIME(3)   NULL,

  PRIMARY KEY (id),
  UNIQUE KEY uq_analyses_idempotency (user_id, idempotency_key),
  UNIQUE KEY uq_analyses_source (source_hash),
  KEY ix_analyses_recent (created_at, id),
  KEY ix_analyses_user_recent (user_id, created_at),
  KEY ix_analyses_status (status, updated_at),
  CONSTRAINT ck_analyses_progress CHECK (progress <= 100)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Aggregated scores: the headline numbers as columns (to sort and filter on), the whole
-- metrics object as JSON (to return as computed, whatever its version).
CREATE TABLE analysis_scores (
  analysis_id          CHAR(36)     NOT NULL,
  score_version        VARCHAR(16)  NOT NULL,
  interview_score      DECIMAL(5,2) NULL,
  attention_score      DECIMAL(5,2) NULL,
  eye_contact_ratio    DOUBLE       NULL,
  gaze_stability       DOUBLE       NULL,
  blink_count          INT UNSIGNED NULL,
  blink_rate_per_min   DOUBLE       NULL,
  head_movement        DOUBLE       NULL,
  face_missing_ratio   DOUBLE       NULL,
  multiple_faces_ratio DOUBLE       NULL,
  dominant_emotion     VARCHAR(16)  NULL,
  emotion_distribution JSON         NULL,
  voice                JSON         NULL,
  metrics              JSON         NOT NULL,
  created_at           DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (analysis_id),
  CONSTRAINT fk_scores_analysis FOREIGN KEY (analysis_id) REFERENCES analyses (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Coaching feedback, one per analysis and language: the YAML exactly as written and its
-- validated structure; source says whether an LLM or the rule-based writer produced it.
CREATE TABLE analysis_feedback (
  analysis_id    CHAR(36)      NOT NULL,
  language       VARCHAR(8)    NOT NULL,
  source         ENUM('llm', 'rules') NOT NULL,
  model          VARCHAR(128)  NULL,
  prompt_version VARCHAR(32)   NOT NULL,
  yaml_text      MEDIUMTEXT    NOT NULL,
  parsed         JSON          NOT NULL,
  -- Why the rule-based writer was used, when an LLM was configured but failed.
  fallback_reason VARCHAR(1000) NULL,
  created_at     DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (analysis_id, language),
  CONSTRAINT fk_feedback_analysis FOREIGN KEY (analysis_id) REFERENCES analyses (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Timeline events (blink, looked away, no face, second person, long pause, ...). seq makes a
-- re-run of the same analysis replace its events rather than add to them.
CREATE TABLE analysis_events (
  analysis_id   CHAR(36)      NOT NULL,
  seq           INT UNSIGNED  NOT NULL,
  kind          VARCHAR(32)   NOT NULL,
  start_ms      INT UNSIGNED  NOT NULL,
  end_ms        INT UNSIGNED  NOT NULL,
  value         DOUBLE        NULL,
  data          JSON          NULL,
  thumbnail_key VARCHAR(1024) NULL,
  PRIMARY KEY (analysis_id, seq),
  KEY ix_events_kind_time (analysis_id, kind, start_ms),
  CONSTRAINT ck_events_interval CHECK (end_ms >= start_ms),
  CONSTRAINT fk_events_analysis FOREIGN KEY (analysis_id) REFERENCES analyses (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
