-- Recordings uploaded through the API (POST /uploads, POST /uploads/direct): where the object
-- goes (a key the server chose under the tenant's allowed location), what the client declared,
-- and how far the upload got. A tenant sees only its own uploads.
CREATE TABLE uploads (
  id                   CHAR(36)        NOT NULL,
  tenant_id            VARCHAR(64)     NOT NULL,
  user_id              VARCHAR(128)    NULL,
  -- The client's file name, for its own bookkeeping only (never part of the key).
  filename             VARCHAR(255)    NULL,
  s3_bucket            VARCHAR(63)     NOT NULL,
  s3_key               VARCHAR(1024)   NOT NULL,
  content_type         VARCHAR(128)    NOT NULL,
  -- Declared by the client (presigned uploads) or counted by the server (direct uploads).
  size_bytes           BIGINT UNSIGNED NOT NULL,
  -- put: one presigned PUT; multipart: presigned parts of part_bytes; direct: streamed by the API.
  method               ENUM('put', 'multipart', 'direct') NOT NULL,
  part_bytes           BIGINT UNSIGNED NULL,
  multipart_upload_id  VARCHAR(1024)   NULL,
  state                ENUM('pending', 'completed', 'aborted') NOT NULL DEFAULT 'pending',
  -- The analysis started from this upload (complete or direct with analyze), if any.
  analysis_id          CHAR(36)        NULL,
  created_at           DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  -- When the upload URLs last handed out stop working (GET /uploads/:id hands out fresh ones).
  expires_at           DATETIME(3)     NOT NULL,
  completed_at         DATETIME(3)     NULL,
  PRIMARY KEY (id),
  KEY ix_uploads_tenant_recent (tenant_id, created_at),
  KEY ix_uploads_state_expires (state, expires_at),
  CONSTRAINT fk_uploads_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
