DROP TABLE IF EXISTS iu_core_matrix_count;
DROP TABLE IF EXISTS iu_core_matrix_snapshot;
