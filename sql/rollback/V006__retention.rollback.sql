DROP TABLE IF EXISTS iu_core_retention_run;
DROP TABLE IF EXISTS iu_core_retention_policy;
