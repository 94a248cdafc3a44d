-- Tenants and their API keys. Every analysis belongs to the tenant whose key created it; a
-- tenant reads only its own analyses and may only point Candor at its allowed S3 locations.
CREATE TABLE tenants (
  id                   VARCHAR(64)   NOT NULL,
  -- [{"bucket": "...", "prefix": "..."}]: POST /analyze accepts only objects under these.
  allowed_locations    JSON          NOT NULL,
  -- Queued + processing analyses at once; NULL = TENANT_MAX_ACTIVE_ANALYSES.
  max_active_analyses  INT UNSIGNED  NULL,
  created_at           DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at           DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  CONSTRAINT ck_tenants_locations CHECK (JSON_VALID(allowed_locations))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A key is "cnd_<id>_<secret>": the id finds the row, only a SHA-256 of the secret is kept
-- (the secret is 256 random bits, so a slow password hash would add nothing).
CREATE TABLE api_keys (
  id              CHAR(16)      NOT NULL,
  tenant_id       VARCHAR(64)   NOT NULL,
  name            VARCHAR(128)  NULL,
  scopes          VARCHAR(255)  NOT NULL,
  secret_hash     BINARY(32)    NOT NULL,
  -- Requests per RATE_LIMIT_WINDOW_MS for this key; NULL = RATE_LIMIT_MAX.
  rate_limit_max  INT UNSIGNED  NULL,
  created_at      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_used_at    DATETIME(3)   NULL,
  revoked_at      DATETIME(3)   NULL,
  PRIMARY KEY (id),
  KEY ix_api_keys_tenant (tenant_id, created_at),
  CONSTRAINT fk_api_keys_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Analyses made before tenants existed belong to the tenant "default".
ALTER TABLE analyses
  ADD COLUMN tenant_id VARCHAR(64) NOT NULL DEFAULT 'default' AFTER id,
  DROP INDEX uq_analyses_idempotency,
  ADD UNIQUE KEY uq_analyses_idempotency (tenant_id, idempotency_key),
  ADD KEY ix_analyses_tenant_recent (tenant_id, created_at, id),
  ADD KEY ix_analyses_tenant_user_recent (tenant_id, user_id, created_at),
  ADD KEY ix_analyses_tenant_status (tenant_id, status);

ALTER TABLE analyses ALTER COLUMN tenant_id DROP DEFAULT;
