package dev.iucore.pipeline.verify;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --expect iu_piece_collection=+20,iu_piece_membership=+105}: the deltas a batch should cause. */
public final class MatrixExpectations {

    private MatrixExpectations() {
    }

    /** @throws IllegalArgumentException naming the malformed item, or the unknown surface and the known ones */
    public static Map<String, Long> parse(List<String> items) {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (String item : items) {
            String[] parts = item.split("=", -1);
            if (parts.length != 2 || parts[0].isBlank() || !parts[1].trim().matches("[+-]?\\d{1,18}")) {
                throw new IllegalArgumentException("--expect item \"" + item
                        + "\" must be <surface>=<delta> with a whole number, e.g. iu_piece_collection=+20 or gate:retention_enabled=0");
            }
            String surface = parts[0].trim();
            if (!MatrixRecorder.KNOWN_SURFACES.contains(surface)) {
                throw new IllegalArgumentException("--expect names unknown surface \"" + surface + "\"; surfaces: "
                        + String.join(", ", MatrixRecorder.KNOWN_SURFACES));
            }
            if (expected.put(surface, Long.parseLong(parts[1].trim().replace("+", ""))) != null) {
                throw new IllegalArgumentException("--expect names \"" + surface + "\" twice");
            }
        }
        return expected;
    }
}
