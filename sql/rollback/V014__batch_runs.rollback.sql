DROP TABLE IF EXISTS iu_core_batch_run;
