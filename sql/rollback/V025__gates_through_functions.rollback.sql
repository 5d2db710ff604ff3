GRANT EXECUTE ON FUNCTION fn_iu_core_gate_set(text, text, text, text) TO PUBLIC;
ALTER FUNCTION fn_iu_core_gate_set(text, text, text, text) RESET search_path;
ALTER FUNCTION fn_iu_core_gate_set(text, text, text, text) SECURITY INVOKER;
GRANT INSERT, UPDATE, DELETE ON iu_core_gate TO ${runtime_role};
