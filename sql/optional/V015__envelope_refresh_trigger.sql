-- Envelope auto-refresh on auto-compose (the field report's migration 036): after a lineage row
-- is inserted, its collection's envelope (piece_count, envelope_digest, envelope_refreshed_at) is
-- recomputed from its memberships, while gate envelope_refresh_enabled is open; closed, the
-- trigger does nothing. Its functions come with V013, so this migration is one statement, the one
-- that needs the TRIGGER privilege on the lineage table: a role without it (the runtime role, say)
-- fails here, atomically, and `iu-core migrate` names the privilege, the table and the role that
-- can apply it.

CREATE TRIGGER iu_lineage_envelope_refresh_trg
    AFTER INSERT ON iu_collection_template_instance_lineage
    FOR EACH ROW EXECUTE FUNCTION fn_iu_core_lineage_envelope_refresh();
