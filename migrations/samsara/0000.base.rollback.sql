-- Rollback of 0000.base (back to an empty database, before app user_version 0).

DROP INDEX idx_matches_score;
DROP INDEX idx_matches_jd;
DROP TABLE cv_jd_matches;
DROP TABLE job_descriptions;
DROP TABLE cvs;
DROP TABLE app_meta;
