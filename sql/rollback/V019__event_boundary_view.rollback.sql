DROP VIEW IF EXISTS iu_core_event_boundary;
