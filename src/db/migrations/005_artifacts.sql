-- Key-frame thumbnails: the moment each event's picture shows, a copy with what was measured
-- drawn on it, and why a thumbnail is missing when it could not be made (never a failed analysis).
ALTER TABLE analysis_events
  ADD COLUMN thumbnail_ms    INT UNSIGNED  NULL AFTER thumbnail_key,
  ADD COLUMN annotated_key   VARCHAR(1024) NULL AFTER thumbnail_ms,
  ADD COLUMN thumbnail_error VARCHAR(500)  NULL AFTER annotated_key;

-- Files derived from the whole recording, one row per name: the browser-ready playback copy
-- (playback) and the timeline overview image (overview). A row with an error and no key says
-- the file could not be made.
CREATE TABLE analysis_artifacts (
  analysis_id  CHAR(36)        NOT NULL,
  name         VARCHAR(32)     NOT NULL,
  s3_key       VARCHAR(1024)   NULL,
  content_type VARCHAR(64)     NULL,
  bytes        BIGINT UNSIGNED NULL,
  duration_s   DOUBLE          NULL,
  width        SMALLINT UNSIGNED NULL,
  height       SMALLINT UNSIGNED NULL,
  error        VARCHAR(1000)   NULL,
  created_at   DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (analysis_id, name),
  CONSTRAINT fk_artifacts_analysis FOREIGN KEY (analysis_id) REFERENCES analyses (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
