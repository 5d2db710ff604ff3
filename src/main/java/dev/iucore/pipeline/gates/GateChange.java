package dev.iucore.pipeline.gates;

/** One persistent gate change, as audited. */
public record GateChange(String gate, String oldValue, String newValue, boolean open, String actor, String reason) {
}
