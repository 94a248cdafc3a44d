-- Deleting an analysis (DELETE /analysis/:id, retention): the row is marked first, then the
-- stores are emptied, then the row goes (its analysis_* rows with it, by foreign key). A marked
-- row is gone for every reader; a deletion that died half-way is finished by a repeat or by the
-- sweeper. delete_source: the uploaded recording goes too (asked for, or uploaded through Candor).
ALTER TABLE analyses
  ADD COLUMN deleted_at    DATETIME(3) NULL AFTER completed_at,
  ADD COLUMN delete_source BOOLEAN     NOT NULL DEFAULT FALSE AFTER deleted_at,
  ADD KEY ix_analyses_deleted (deleted_at);
