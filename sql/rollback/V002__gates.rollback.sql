DROP TRIGGER IF EXISTS iu_core_gate_audit_trg ON iu_core_gate;
DROP FUNCTION IF EXISTS fn_iu_core_gate_audit();
DROP FUNCTION IF EXISTS fn_iu_core_gate_set(text, text, text, text);
DROP FUNCTION IF EXISTS fn_iu_core_gate_open(text);
DROP FUNCTION IF EXISTS fn_iu_core_gate_list(text);
DROP FUNCTION IF EXISTS fn_iu_core_gate_value(text);
DROP TABLE IF EXISTS iu_core_gate_audit;
DROP TABLE IF EXISTS iu_core_gate;
