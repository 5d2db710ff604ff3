package dev.iucore.pipeline.config;

import java.util.List;
import java.util.Locale;
import org.quartz.CronExpression;

/**
 * What a setting's value must be: its type and, for numbers, its range. {@link Settings} checks
 * every setting by its rule once at start ({@link Settings#validate()}) and again at each read.
 */
public record ValueRule(Kind kind, double min, double max, List<String> choices) {

    public enum Kind { TEXT, WHOLE, NUMBER, BOOLEAN, CRON, CHOICE }

    public static final ValueRule TEXT = new ValueRule(Kind.TEXT, 0, 0, List.of());
    public static final ValueRule BOOLEAN = new ValueRule(Kind.BOOLEAN, 0, 0, List.of());
    public static final ValueRule CRON = new ValueRule(Kind.CRON, 0, 0, List.of());

    public static ValueRule whole(long min, long max) {
        return new ValueRule(Kind.WHOLE, min, max, List.of());
    }

    public static ValueRule number(double min, double max) {
        return new ValueRule(Kind.NUMBER, min, max, List.of());
    }

    /** One of these words, in any case. */
    public static ValueRule oneOf(String... choices) {
        return new ValueRule(Kind.CHOICE, 0, 0, List.of(choices));
    }

    /** What is wrong with {@code value} (trimmed), in words that end a sentence naming the setting; null when nothing. */
    public String problem(String value) {
        return switch (kind) {
            case TEXT -> null;
            case WHOLE -> {
                try {
                    long number = Long.parseLong(value);
                    yield number < min || number > max ? "must be from " + (long) min + " to " + (long) max + ", not " + number
                            : null;
                } catch (NumberFormatException e) {
                    yield "must be a whole number, not \"" + value + "\"";
                }
            }
            case NUMBER -> {
                try {
                    double number = Double.parseDouble(value);
                    yield !(number >= min && number <= max) ? "must be between " + min + " and " + max + ", not " + value
                            : null;
                } catch (NumberFormatException e) {
                    yield "must be a number such as 0.2, not \"" + value + "\"";
                }
            }
            case BOOLEAN -> value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false") ? null
                    : "must be true or false, not \"" + value + "\"";
            case CRON -> CronExpression.isValidExpression(value) ? null
                    : "must be a Quartz cron expression (seconds minutes hours day-of-month month day-of-week,"
                            + " e.g. \"0 15 3 * * ?\"), not \"" + value + "\"";
            case CHOICE -> choices.contains(value.toLowerCase(Locale.ROOT)) ? null
                    : "must be one of " + String.join(", ", choices) + ", not \"" + value + "\"";
        };
    }
}
