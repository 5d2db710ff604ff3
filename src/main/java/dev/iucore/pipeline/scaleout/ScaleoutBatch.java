package dev.iucore.pipeline.scaleout;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * One scaleout batch: who runs it, how many instances, the template mix they cycle through, and
 * its id. The id is the {@code event_id} of every instance's idempotency key, so it is what makes
 * a batch "the same": it is derived from the actor and a name, the given {@code --batch-id} or, by
 * default, the count and the template mix in order. Run the same batch again and every key
 * exists: nothing is composed. Under a given batch name a larger count composes only the new
 * instances (instance i keeps its template and key).
 */
public record ScaleoutBatch(UUID batchId, String name, String actor, int count, List<TemplateVersion> templates) {

    public static final int MAX_COUNT = 1_000_000;

    public ScaleoutBatch {
        templates = List.copyOf(templates);
        if (actor == null || actor.isBlank()) {
            throw new IllegalArgumentException("a scaleout batch needs an actor: it tags everything the batch creates");
        }
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("the number of instances must be 1 to " + MAX_COUNT + ", not " + count);
        }
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("a scaleout batch needs at least one template version");
        }
    }

    /** @param name the batch's name, or null to name it by its count and template mix */
    public static ScaleoutBatch of(String actor, int count, List<TemplateVersion> templates, String name) {
        String batchName = name == null || name.isBlank()
                ? "n=" + count + ";templates=" + templates.stream().map(TemplateVersion::toString).collect(Collectors.joining(","))
                : name.trim();
        UUID id = UUID.nameUUIDFromBytes(("iu-core scaleout\n" + actor + "\n" + batchName).getBytes(StandardCharsets.UTF_8));
        return new ScaleoutBatch(id, batchName, actor, count, templates);
    }

    String[] templateIds() {
        return templates.stream().map(TemplateVersion::templateId).toArray(String[]::new);
    }

    Integer[] versions() {
        return templates.stream().map(TemplateVersion::version).toArray(Integer[]::new);
    }

    /** The batch as a batch-run record's arguments. */
    public Map<String, Object> arguments() {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("n", count);
        arguments.put("templates", templates.stream().map(TemplateVersion::toString).toList());
        arguments.put("actor", actor);
        arguments.put("batch_id", batchId.toString());
        arguments.put("batch_name", name);
        return arguments;
    }
}
