DROP FUNCTION fn_iu_core_delivery_route(text, text);
